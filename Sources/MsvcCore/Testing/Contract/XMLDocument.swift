/// A small XML reader for Pact bodies: elements with namespaces resolved, attributes, text.
/// No DTDs or external entities are ever loaded.
struct XMLElement: Sendable, Equatable {
    /// Namespace URI, when the element has one.
    var namespace: String?
    /// Local name.
    var local: String
    /// Attributes (namespace declarations excluded), names qualified as `uri:local` when prefixed.
    var attributes: [(String, String)]
    /// Child nodes in order.
    var children: [XMLNode]

    static func == (a: XMLElement, b: XMLElement) -> Bool {
        a.namespace == b.namespace && a.local == b.local && a.children == b.children
            && a.attributes.elementsEqual(b.attributes, by: ==)
    }

    /// `uri:local` or `local`, the name Pact paths and messages use.
    var name: String { namespace.map { "\($0):\(local)" } ?? local }

    /// Child elements only.
    var elements: [XMLElement] { children.compactMap { if case .element(let e) = $0 { return e } else { return nil } } }
}

/// A node inside an element.
enum XMLNode: Sendable, Equatable {
    case element(XMLElement)
    case text(String)
}

/// Why an XML body could not be read.
struct XMLSyntaxError: Error, Sendable, CustomStringConvertible {
    /// Byte offset of the problem.
    var offset: Int
    /// What is wrong.
    var message: String
    var description: String { "invalid XML at byte \(offset): \(message)" }
}

/// Parses XML text into its root element.
struct XMLReader {
    private let b: [UInt8]
    private var i = 0

    /// Parses `bytes` and returns the document's root element.
    static func parse(_ bytes: [UInt8]) throws(XMLSyntaxError) -> XMLElement {
        var r = XMLReader(b: bytes)
        r.skipMisc()
        guard r.i < r.b.count, r.b[r.i] == UInt8(ascii: "<") else { throw r.fail("expected a root element") }
        let root = try r.element(scope: ["xml": "http://www.w3.org/XML/1998/namespace"], depth: 0)
        r.skipMisc()
        guard r.i == r.b.count else { throw r.fail("unexpected content after the root element") }
        return root
    }

    private init(b: [UInt8]) { self.b = b }

    private func fail(_ m: String) -> XMLSyntaxError { XMLSyntaxError(offset: i, message: m) }

    private func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= b.count && Array(b[i..<i + u.count]) == u
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func skip(past end: String) throws(XMLSyntaxError) {
        let u = Array(end.utf8)
        while i + u.count <= b.count {
            if Array(b[i..<i + u.count]) == u { i += u.count; return }
            i += 1
        }
        throw fail("unterminated construct, expected \"\(end)\"")
    }

    /// Skips the prolog, comments, processing instructions, a DOCTYPE and whitespace.
    private mutating func skipMisc() {
        while true {
            skipSpace()
            if starts("<?") { try? skip(past: "?>"); continue }
            if starts("<!--") { try? skip(past: "-->"); continue }
            if starts("<!DOCTYPE") {
                var depth = 0
                while i < b.count {
                    if b[i] == UInt8(ascii: "[") { depth += 1 }
                    if b[i] == UInt8(ascii: "]") { depth -= 1 }
                    if b[i] == UInt8(ascii: ">"), depth <= 0 { i += 1; break }
                    i += 1
                }
                continue
            }
            return
        }
    }

    private func isNameByte(_ c: UInt8) -> Bool {
        c >= 0x80 || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    private mutating func name() throws(XMLSyntaxError) -> String {
        let start = i
        while i < b.count, isNameByte(b[i]) { i += 1 }
        guard i > start else { throw fail("expected a name") }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    private func decode(_ raw: ArraySlice<UInt8>) throws(XMLSyntaxError) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out = ""
        let s = String(decoding: raw, as: UTF8.self)
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { throw fail("unterminated entity") }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let code: UInt32?
                if entity.hasPrefix("#x") { code = UInt32(entity.dropFirst(2), radix: 16) } else if entity.hasPrefix("#") {
                    code = UInt32(entity.dropFirst())
                } else { code = nil }
                guard let code, let scalar = Unicode.Scalar(code) else { throw fail("unknown entity &\(entity);") }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    private mutating func element(scope: [String: String], depth: Int) throws(XMLSyntaxError) -> XMLElement {
        guard depth < 256 else { throw fail("nested too deeply") }
        i += 1
        let qname = try name()
        var raw: [(String, String)] = []
        while true {
            skipSpace()
            guard i < b.count else { throw fail("unterminated start tag <\(qname)>") }
            if b[i] == UInt8(ascii: "/") || b[i] == UInt8(ascii: ">") { break }
            let attr = try name()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("expected \"=\" after attribute \(attr)") }
            i += 1
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else { throw fail("expected a quoted value") }
            let q = b[i]
            i += 1
            let start = i
            while i < b.count, b[i] != q { i += 1 }
            guard i < b.count else { throw fail("unterminated attribute value") }
            raw.append((attr, try decode(b[start..<i])))
            i += 1
        }
        var scope = scope
        for (k, v) in raw {
            if k == "xmlns" { scope[""] = v.isEmpty ? nil : v }
            if k.hasPrefix("xmlns:") { scope[String(k.dropFirst(6))] = v }
        }
        func split(_ q: String, element: Bool) throws(XMLSyntaxError) -> (String?, String) {
            if let colon = q.firstIndex(of: ":") {
                let prefix = String(q[..<colon])
                guard let uri = scope[prefix] else { throw fail("undeclared namespace prefix \"\(prefix)\"") }
                return (uri, String(q[q.index(after: colon)...]))
            }
            return (element ? scope[""] : nil, q)
        }
        let (ns, local) = try split(qname, element: true)
        var attributes: [(String, String)] = []
        for (k, v) in raw where k != "xmlns" && !k.hasPrefix("xmlns:") {
            let (ans, alocal) = try split(k, element: false)
            attributes.append((ans.map { "\($0):\(alocal)" } ?? alocal, v))
        }
        var element = XMLElement(namespace: ns, local: local, attributes: attributes, children: [])
        if b[i] == UInt8(ascii: "/") {
            i += 1
            guard i < b.count, b[i] == UInt8(ascii: ">") else { throw fail("expected \">\"") }
            i += 1
            return element
        }
        i += 1
        var text: [UInt8] = []
        func flush() throws(XMLSyntaxError) {
            if !text.isEmpty { element.children.append(.text(try decode(text[...]))); text = [] }
        }
        while true {
            guard i < b.count else { throw fail("element <\(qname)> is not closed") }
            if starts("</") {
                try flush()
                i += 2
                let end = try name()
                guard end == qname else { throw fail("expected </\(qname)>, found </\(end)>") }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ">") else { throw fail("expected \">\"") }
                i += 1
                return element
            }
            if starts("<!--") { try skip(past: "-->"); continue }
            if starts("<![CDATA[") {
                i += 9
                let start = i
                try skip(past: "]]>")
                try flush()
                element.children.append(.text(String(decoding: b[start..<(i - 3)], as: UTF8.self)))
                continue
            }
            if starts("<?") { try skip(past: "?>"); continue }
            if b[i] == UInt8(ascii: "<") {
                try flush()
                element.children.append(.element(try self.element(scope: scope, depth: depth + 1)))
                continue
            }
            text.append(b[i])
            i += 1
        }
    }
}
