import Foundation

/// Encodes `Encodable` values as `JSON`, keeping keys in the order they are encoded, so a
/// Codable type prints exactly as a hand-built `JSON` value would. Dates are Unix seconds
/// with millisecond precision (`1714400000.123`).
public struct JSONValueEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// The value as JSON.
    public func encode<T: Encodable>(_ value: T) throws -> JSON {
        let box = JSONBox()
        try JSONBox.encode(value, into: box, path: [])
        return box.json
    }
}

/// A JSON value under construction; containers share it by reference as Codable expects.
private final class JSONBox {
    enum Content {
        case unset
        case value(JSON)
        case object(keys: [String], values: [JSONBox])
        case array([JSONBox])
    }

    var content = Content.unset

    var json: JSON {
        switch content {
        case .unset: return .object([])
        case .value(let v): return v
        case .object(let keys, let values): return .object(zip(keys, values).map { ($0, $1.json) })
        case .array(let items): return .array(items.map(\.json))
        }
    }

    /// The box for `key`, created (or emptied) for a new value.
    func member(_ key: String) -> JSONBox {
        var (keys, values) = ([String](), [JSONBox]())
        if case .object(let k, let v) = content { (keys, values) = (k, v) }
        let box = JSONBox()
        if let i = keys.firstIndex(of: key) {
            values[i] = box
        } else {
            keys.append(key)
            values.append(box)
        }
        content = .object(keys: keys, values: values)
        return box
    }

    /// Makes this box an object, keeping members already encoded (containers may be asked for twice).
    func makeObject() {
        if case .object = content { return }
        content = .object(keys: [], values: [])
    }

    func makeArray() {
        if case .array = content { return }
        content = .array([])
    }

    func append() -> JSONBox {
        let box = JSONBox()
        if case .array(var items) = content {
            items.append(box)
            content = .array(items)
        } else {
            content = .array([box])
        }
        return box
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }

    static func encode<T: Encodable>(_ value: T, into box: JSONBox, path: [any CodingKey]) throws {
        switch value {
        case let j as JSON: box.content = .value(j)
        case let d as Date: box.content = .value(.double((d.timeIntervalSince1970 * 1000).rounded() / 1000))
        case let s as String: box.content = .value(.string(s))
        case let b as Bool: box.content = .value(.bool(b))
        case let i as Int: box.content = .value(.int(i))
        case let d as Double: box.content = .value(.double(d))
        case let f as Float: box.content = .value(.double(Double(f)))
        case let i as any FixedWidthInteger:
            // Every integer type lands here, so a type's own `encode(to:)` is never called
            // back for it (that would recurse through the single-value container).
            guard let n = Int(exactly: i) else {
                throw EncodingError.invalidValue(i, .init(codingPath: path, debugDescription: "\(i) does not fit a JSON integer"))
            }
            box.content = .value(.int(n))
        default: try value.encode(to: BoxEncoder(box: box, codingPath: path))
        }
    }
}

private struct BoxEncoder: Encoder {
    let box: JSONBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.makeObject()
        return KeyedEncodingContainer(KeyedBoxEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.makeArray()
        return UnkeyedBoxEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleBoxEncoder(box: box, codingPath: codingPath) }
}

private struct KeyedBoxEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: JSONBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.member(key.stringValue).content = .value(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.member(key.stringValue).content = .value(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.member(key.stringValue).content = .value(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.member(key.stringValue).content = .value(.double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.member(key.stringValue).content = .value(.double(Double(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.member(key.stringValue).content = .value(.int(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encodeUnsigned(value, key) }

    private mutating func encodeUnsigned(_ value: UInt64, _ key: Key) throws {
        guard let i = Int(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key], debugDescription: "\(value) does not fit a JSON integer"))
        }
        try encode(i, forKey: key)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try JSONBox.encode(value, into: box.member(key.stringValue), path: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = box.member(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedBoxEncoder<NestedKey>(box: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = box.member(key.stringValue)
        child.makeArray()
        return UnkeyedBoxEncoder(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { BoxEncoder(box: box.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { BoxEncoder(box: box.member(key.stringValue), codingPath: codingPath + [key]) }
}

/// The coding key of an array element.
struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedBoxEncoder: UnkeyedEncodingContainer {
    let box: JSONBox
    let codingPath: [any CodingKey]
    var count: Int { box.count }

    mutating func encodeNil() throws { box.append().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try JSONBox.encode(value, into: box.append(), path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = box.append()
        child.makeObject()
        return KeyedEncodingContainer(KeyedBoxEncoder<NestedKey>(box: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = box.append()
        child.makeArray()
        return UnkeyedBoxEncoder(box: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { BoxEncoder(box: box.append(), codingPath: codingPath) }
}

private struct SingleBoxEncoder: SingleValueEncodingContainer {
    let box: JSONBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try JSONBox.encode(value, into: box, path: codingPath) }
}

/// Any JSON value, so a field can hold JSON as it came (with other encoders too).
extension JSON: Codable {
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyJSONKey.self) {
            self = .object(try keyed.allKeys.map { ($0.stringValue, try keyed.decode(JSON.self, forKey: $0)) })
            return
        }
        if var items = try? decoder.unkeyedContainer() {
            var out: [JSON] = []
            while !items.isAtEnd { out.append(try items.decode(JSON.self)) }
            self = .array(out)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let pairs):
            var c = encoder.container(keyedBy: AnyJSONKey.self)
            for (k, v) in pairs { try c.encode(v, forKey: AnyJSONKey(stringValue: k)) }
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for v in items { try c.encode(v) }
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        }
    }
}

private struct AnyJSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
