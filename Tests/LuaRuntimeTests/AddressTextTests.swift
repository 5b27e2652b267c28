import CLua
import XCTest

@testable import LuaRuntime
@testable import OpenFlow

/// MAC text goes through a direct-mapped cache of recent addresses. Many
/// more addresses than it has slots, each seen several times and in an
/// order that makes slots change hands, must read as AddressText writes them.
final class AddressTextTests: XCTestCase {
  func testMACTextThroughTheCacheIsTheAddressText() throws {
    let state = try LuaState()
    let L = state.L
    var rng = SystemRandomNumberGenerator()
    let macs = (0..<3000).map { i -> [UInt8] in
      // A few that differ in one byte only, the rest at random.
      i < 256 ? [0, 0, 0, 0, 0, UInt8(i)] : (0..<6).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
    for round in 0..<3 {
      for (i, mac) in (round == 1 ? macs.reversed() : macs).enumerated() {
        let base = state.stack.top
        mac.withUnsafeBytes { state.stack.pushMACText($0) }
        XCTAssertEqual(state.stack.top, base + 1)
        let got = state.stack.string(at: -1)
        lua_settop(L, base)
        if got != AddressText.mac(mac) {
          return XCTFail("round \(round), address \(i): \(got ?? "nil"), want \(AddressText.mac(mac))")
        }
      }
    }
    // Other lengths keep the general form.
    [UInt8]([1, 2, 3]).withUnsafeBytes { state.stack.pushMACText($0) }
    XCTAssertEqual(state.stack.string(at: -1), "01:02:03")
  }
}
