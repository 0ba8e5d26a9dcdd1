import Foundation
import MsvcCore
import Testing

/// Response schema validation on OpenAPI 3.0 and 3.1 documents, violations by JSON path.
@Suite struct SchemaValidatorTests {
    static let doc31 = """
        openapi: 3.1.0
        info: { title: pets, version: "1" }
        paths:
          /pets:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: { type: array, items: { $ref: "#/components/schemas/Pet" } }
        components:
          schemas:
            Pet:
              oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }]
              discriminator: { propertyName: kind, mapping: { cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog" } }
            Cat:
              type: object
              required: [kind, lives]
              properties:
                kind: { const: cat }
                lives: { type: integer, minimum: 1, maximum: 9 }
                nickname: { type: [string, "null"] }
            Dog:
              allOf:
                - { $ref: "#/components/schemas/Named" }
                - type: object
                  required: [kind]
                  properties: { kind: { const: dog }, born: { type: string, format: date } }
            Named:
              type: object
              required: [name]
              properties: { name: { type: string, minLength: 1 }, friends: { type: array, items: { $ref: "#/components/schemas/Named" } } }
        """

    @Test func openapi31_discriminatorOneOfAllOfTypeListsAndRecursion() throws {
        let d = try OpenAPIDocument.parse(Self.doc31, source: "pets.yaml")
        #expect(d.version == "3.1.0" && !d.isOpenAPI30)
        let schema = try #require(d.raw["paths"]?["/pets"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"])
        let good = try JSON.parse(#"[{"kind": "cat", "lives": 9, "nickname": null}, {"kind": "dog", "name": "Rex", "born": "2020-02-29", "friends": [{"name": "Fido"}]}]"#)
        #expect(d.validator.validate(good, against: schema).isEmpty)
        let bad = try JSON.parse(#"[{"kind": "cat", "lives": 10, "nickname": 3}, {"kind": "dog", "name": "", "born": "2021-02-29", "friends": [{"name": 1}]}]"#)
        let found = d.validator.validate(bad, against: schema).map(\.description)
        #expect(found.count == 2, "\(found)")
        #expect(found[0].hasPrefix("$[0]: matches none of the oneOf schemas ($[0].lives: 10 is more than the maximum 9"), "\(found)")
        #expect(found[1].hasPrefix("$[1]: matches none of the oneOf schemas ($[1].name: string is 0 characters, shorter than minLength 1"), "\(found)")
    }

    @Test func openapi30_nullableEnumFormatsAdditionalProperties() throws {
        let d = try OpenAPIDocument.parse("""
            {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
             "components": {"schemas": {"Item": {"type": "object", "required": ["id", "state"], "additionalProperties": false,
               "properties": {"id": {"type": "string", "format": "uuid"}, "state": {"type": "string", "enum": ["open", "closed"]},
                              "note": {"type": "string", "nullable": true}, "at": {"type": "string", "format": "date-time"}}}}}}
            """, source: "t.json")
        let schema = JSON.object([("$ref", .string("#/components/schemas/Item"))])
        let ok = try JSON.parse(#"{"id": "5f0c6c3e-3c7e-4e8e-9d5e-1a2b3c4d5e6f", "state": "open", "note": null, "at": "2024-01-02T03:04:05Z"}"#)
        #expect(d.validator.validate(ok, against: schema).isEmpty)
        let bad = try JSON.parse(#"{"id": "nope", "state": "gone", "at": "yesterday", "x": 1}"#)
        #expect(d.validator.validate(bad, against: schema).map(\.description) == [
            #"$.id: "nope" is not a UUID (format: uuid)"#,
            #"$.state: "gone" is not one of ["open","closed"]"#,
            #"$.at: "yesterday" is not an RFC 3339 date-time (format: date-time)"#,
            #"$.x: property "x" is not allowed (additionalProperties: false)"#,
        ])
    }

    @Test func invalidDocument_isReportedWithWhere() {
        #expect(throws: OpenAPILoadError.self) { try OpenAPIDocument.parse("openapi: 3.0.0\ninfo: {}\npaths: {}\n", source: "x.yaml") }
        do {
            _ = try OpenAPIDocument.parse("openapi: 3.0.0\ninfo: [\n", source: "y.yaml")
        } catch {
            #expect(error.line != nil, "\(error)")
        }
        #expect(throws: OpenAPILoadError(file: "z.yaml", line: 1, column: 1, message: "not an OpenAPI 3 document (no \"openapi\" version key; Swagger 2.0 is not supported)")) {
            try OpenAPIDocument.parse("swagger: \"2.0\"\n", source: "z.yaml")
        }
    }
}
