import Foundation

extension ScenarioSuiteBody {
    /// The failure detail of a request step: the request, the response (status, headers, body
    /// up to `bodyLimit` bytes) and every expectation it missed.
    static func describe(_ attempt: Attempt, attempts: Int, total: Duration, retry: ScenarioRetry) -> String {
        var out: [String] = []
        if let r = attempt.request {
            var line = "request: \(r.method) http://\(r.host):\(r.port)\(r.target)"
            if attempts > 1 {
                line += "  (attempt \(attempts) of \(attempts), every \(Units.format(retry.interval)), \(seconds(total)) in all)"
            }
            out.append(line)
            for (k, v) in r.headers { out.append("  \(k): \(v)") }
            if !r.body.isEmpty { out += indent(body(r.body, contentType: header(r.headers, "content-type"))) }
        }
        if let response = attempt.response {
            out.append("response: \(response.status) \(response.reason) in \(milliseconds(attempt.elapsed))")
            for (k, v) in response.headers { out.append("  \(k): \(v)") }
            if response.body.isEmpty {
                out.append("  (empty body)")
            } else {
                out += indent(body(response.body, contentType: response.header("content-type")))
            }
        } else {
            out.append("response: none after \(milliseconds(attempt.elapsed))")
        }
        out.append("expected:")
        out += attempt.problems.map { "  " + $0 }
        return out.joined(separator: "\n")
    }

    /// A body for people: JSON pretty-printed, text as it is, cut at `bodyLimit` bytes.
    static func body(_ bytes: [UInt8], contentType: String?) -> [String] {
        let shown = Array(bytes.prefix(bodyLimit))
        var text: String
        if bytes.count <= bodyLimit, let json = try? JSON.parse(bytes: bytes), case .object = json {
            text = json.serialized(pretty: true)
        } else if bytes.count <= bodyLimit, let json = try? JSON.parse(bytes: bytes), case .array = json {
            text = json.serialized(pretty: true)
        } else {
            text = String(decoding: shown, as: UTF8.self)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if bytes.count > bodyLimit { lines.append("... \(bytes.count - bodyLimit) more bytes") }
        return lines
    }

    /// The first header named `name` (lowercase).
    static func header(_ headers: [(String, String)], _ name: String) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }

    /// `lines` indented by two spaces.
    static func indent(_ lines: [String]) -> [String] { lines.map { "  " + $0 } }

    /// `12 ms`, `1.25 s`.
    static func milliseconds(_ d: Duration) -> String {
        let ms = Units.milliseconds(d)
        return ms < 1000 ? "\(ms) ms" : seconds(d)
    }

    /// `1.25 s`.
    static func seconds(_ d: Duration) -> String {
        String(format: "%.2f s", Units.seconds(d))
    }
}
