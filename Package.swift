// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "msvc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "msvc", targets: ["msvc"]),
        .library(name: "MsvcCore", targets: ["MsvcCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
    ],
    targets: [
        .systemLibrary(name: "CYaml", path: "Sources/CYaml", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .target(name: "CMsvcSys", path: "Sources/CMsvcSys"),
        .target(
            name: "MsvcCore",
            dependencies: [
                "CYaml", "CMsvcSys",
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
            ]
        ),
        .target(name: "MsvcTUI", dependencies: ["MsvcCore", "CNcurses"]),
        .executableTarget(
            name: "msvc",
            dependencies: [
                "MsvcCore", "MsvcTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "MsvcTestSupport", dependencies: ["MsvcCore"]),
        .testTarget(name: "MsvcCoreTests", dependencies: ["MsvcCore", "MsvcTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MsvcCLITests", dependencies: ["MsvcCore", "MsvcTUI", "MsvcTestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
