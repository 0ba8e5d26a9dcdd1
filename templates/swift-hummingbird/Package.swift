// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "{{service}}",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "App",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "{{service}}", dependencies: ["App"]),
        .testTarget(
            name: "AppTests",
            dependencies: ["App", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ]
)
