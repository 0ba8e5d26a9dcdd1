public enum Msvc { public static let version = "0.1.0" }
