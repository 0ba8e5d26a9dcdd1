import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Exported manifests pass `kubernetes-validate --strict` (offline schemas) and exported
/// compose files pass check-jsonschema's copy of the Compose Specification. Both come from
/// PyPI and are installed by .ci/run; a missing validator fails the test.
@Suite(.serialized) struct ExportValidatorTests {
    /// Every stack's export (kubernetes also with a namespace and every profile).
    static func writeAll(_ target: ExportTarget, into dir: TemporaryDirectory) throws -> [String] {
        var files: [String] = []
        for (name, url) in InteropFixtures.stacks {
            let plain = try InteropFixtures.export(url, to: target)
            files.append(try dir.write("\(name)/\(target.rawValue).yaml", plain.combined))
            if target == .kubernetes {
                let scoped = try InteropFixtures.export(url, to: target, namespace: "team-a", profiles: ["debug", "load"])
                for file in scoped.files { files.append(try dir.write("\(name)/split/\(file.name)", file.text)) }
            }
        }
        return files
    }

    @Test func kubernetesValidate_acceptsEveryExport() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-k8s-schema")
        let files = try Self.writeAll(.kubernetes, into: dir)
        let (result, missing) = try await Validators.run("kubernetes-validate", ["--strict", "--quiet"] + files, cwd: dir.path, pipPackage: "kubernetes-validate")
        if let missing { Issue.record(Comment(rawValue: missing)); return }
        #expect(result?.status == 0, "kubernetes-validate rejected an export:\n\(result?.stdout ?? "")\(result?.stderr ?? "")")
    }

    @Test func composeSchema_acceptsEveryExport() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-compose-schema")
        let files = try Self.writeAll(.compose, into: dir)
        let (result, missing) = try await Validators.run("check-jsonschema", ["--builtin-schema", "vendor.compose-spec"] + files, cwd: dir.path, pipPackage: "check-jsonschema")
        if let missing { Issue.record(Comment(rawValue: missing)); return }
        #expect(result?.status == 0, "the compose schema rejected an export:\n\(result?.stdout ?? "")\(result?.stderr ?? "")")
    }

    @Test func validators_rejectBrokenFiles_soTheyAreReallyRunning() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-interop-broken")
        let manifest = try dir.write("bad.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n  surprise: 1\n")
        let (k8s, missingK8s) = try await Validators.run("kubernetes-validate", ["--strict", "--quiet", manifest], cwd: dir.path, pipPackage: "kubernetes-validate")
        if let missingK8s { Issue.record(Comment(rawValue: missingK8s)) } else { #expect(k8s?.status != 0, "\(k8s?.stdout ?? "")") }
        let compose = try dir.write("compose.yaml", "services:\n  web:\n    image: 3\n    restart: sometimes\n    deploy: { replicas: many }\n")
        let (schema, missingSchema) = try await Validators.run("check-jsonschema", ["--builtin-schema", "vendor.compose-spec", compose], cwd: dir.path, pipPackage: "check-jsonschema")
        if let missingSchema { Issue.record(Comment(rawValue: missingSchema)) } else { #expect(schema?.status == 1, "\(schema?.stdout ?? "")") }
    }
}
