// swift-tools-version:6.0
import Foundation
import PackageDescription

// Layers, lowest first: CEpoll, CShim/CLua (C), OpenFlow (codec), Reactor
// (epoll), HostCore (channels, dispatcher), LuaRuntime (apps), zofhost (command
// line). Only LuaRuntime's side links Lua: CEpoll (the reactor's wrappers) has
// no dependencies, so zofload, built on the reactor, carries no interpreter.
// The hot path's classes are touched from one thread only; release builds skip
// the runtime exclusivity checks on their stored properties (debug builds and
// tests keep them, and the compile-time checks stay everywhere).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Lua's interpreter runs most of every event: where Debian's static archive of
// it is installed (liblua5.4-dev ships it), it is linked in whole, non-PIC and
// with no PLT hop per API call (about 8% more PACKET_INs a second than the
// shared library); else the shared library serves.
let luaArchive = ["x86_64-linux-gnu", "aarch64-linux-gnu"].map { "/usr/lib/\($0)/liblua5.4.a" }
  .first { FileManager.default.fileExists(atPath: $0) }
let luaLinking: [LinkerSetting] = luaArchive.map {
  [.unsafeFlags(["-Xlinker", "--whole-archive", "-Xlinker", $0, "-Xlinker", "--no-whole-archive"])]
} ?? []

let package = Package(
  name: "zofhost",
  products: [
    .executable(name: "zofhost", targets: ["zofhost"]),
    .executable(name: "DispatchBench", targets: ["DispatchBench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"])]),
    // ZeroMQ for the events bus (HostCore's Bus*.swift).
    .systemLibrary(
      name: "CZMQ", path: "Sources/CZMQ", pkgConfig: "libzmq",
      providers: [.apt(["libzmq3-dev"])]),
    // epoll, signalfd and accept4 wrappers for the reactor.
    .target(name: "CEpoll", path: "Sources/CEpoll"),
    .target(
      name: "CTLS", path: "Sources/CTLS",
      linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
    // Every Lua call that can raise, on the C side.
    .target(
      name: "CShim", dependencies: ["CLua"], path: "Sources/CShim",
      // Lua's allocator (Debian's libmimalloc-dev).
      linkerSettings: [.linkedLibrary("mimalloc")] + luaLinking),
    .target(name: "OpenFlow", path: "Sources/OpenFlow", swiftSettings: hotPath),
    .target(name: "Reactor", dependencies: ["CEpoll", "CTLS"], path: "Sources/Reactor", swiftSettings: hotPath),
    .target(
      name: "HostCore",
      dependencies: ["OpenFlow", "Reactor", "CZMQ", .product(name: "Logging", package: "swift-log")],
      path: "Sources/HostCore", swiftSettings: hotPath),
    .target(
      name: "LuaRuntime",
      dependencies: ["CShim", "CLua", "OpenFlow", "HostCore", .product(name: "Logging", package: "swift-log")],
      path: "Sources/LuaRuntime",
      // The runtime's own Lua, one file per area, compiled into the binary.
      resources: ["zof", "datapath", "events", "apps", "log", "post", "tasks", "dispatch", "send", "keep",
                  "sandbox", "report", "socket", "bus"].map { .embedInCode("lua/\($0).lua") },
      swiftSettings: hotPath),
    .executableTarget(
      name: "zofhost",
      dependencies: [
        "LuaRuntime", "HostCore", "Reactor", "OpenFlow",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Sources/zofhost",
      // The bundled app library that `requires` falls back on; installed beside the binary.
      resources: [.copy("lib-lua")]),
    .executableTarget(
      name: "zofload",
      dependencies: [
        "Reactor", "OpenFlow",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
      ],
      path: "Sources/zofload"),
    .executableTarget(
      name: "DispatchBench",
      dependencies: ["LuaRuntime", "HostCore", "OpenFlow", "Reactor", .product(name: "Logging", package: "swift-log")],
      path: "Sources/DispatchBench"),
    // libFuzzer entry over the decoder; scripts/fuzz builds it with -sanitize=fuzzer.
    .executableTarget(name: "FuzzDecode", dependencies: ["OpenFlow"], path: "Sources/FuzzDecode"),
    .target(
      name: "TestSupport",
      dependencies: ["HostCore", "OpenFlow", "Reactor", .product(name: "Logging", package: "swift-log")],
      path: "Tests/Support"),
    .testTarget(name: "OpenFlowTests", dependencies: ["OpenFlow"], path: "Tests/OpenFlowTests"),
    .testTarget(name: "CommandTests", dependencies: ["zofhost"], path: "Tests/CommandTests"),
    .testTarget(name: "ReactorTests", dependencies: ["Reactor"], path: "Tests/ReactorTests"),
    .testTarget(name: "HostCoreTests", dependencies: ["HostCore", "OpenFlow", "Reactor", "TestSupport", "CZMQ"], path: "Tests/HostCoreTests"),
    .testTarget(
      name: "LuaRuntimeTests", dependencies: ["LuaRuntime", "HostCore", "OpenFlow", "Reactor", "TestSupport", "CShim", "CLua"],
      path: "Tests/LuaRuntimeTests",
      // Read from the source tree by AppCaseTests, not bundled.
      exclude: ["cases"]),
  ],
  swiftLanguageModes: [.v5]
)
