import App
import Foundation
import Logging

// Logs are JSON lines on stdout; msvc collects and prefixes them.
LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
let port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8080
let host = ProcessInfo.processInfo.environment["HOST"] ?? "127.0.0.1"
let app = buildApplication(host: host, port: port)
// runService() stops gracefully on SIGTERM and SIGINT.
try await app.runService()
