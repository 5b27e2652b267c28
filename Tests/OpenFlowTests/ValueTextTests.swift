import XCTest

@testable import OpenFlow

/// Datapath ids, address text and JSON.
final class ValueTextTests: XCTestCase {
  func testDatapathID() {
    XCTAssertEqual(DatapathID.format(1), "00:00:00:00:00:00:00:01")
    XCTAssertEqual(DatapathID.format(0xfedc_ba98_7654_3210), "fe:dc:ba:98:76:54:32:10")
    XCTAssertEqual(DatapathID.parse("00:00:00:00:00:00:00:01"), 1)
    XCTAssertEqual(DatapathID.parse("FE:DC:BA:98:76:54:32:10"), 0xfedc_ba98_7654_3210)
    XCTAssertEqual(DatapathID.parse("0x2a"), 42)
    XCTAssertEqual(DatapathID.parse("42"), 42)
    XCTAssertNil(DatapathID.parse("00:00:00:00:00:00:01"))
    XCTAssertNil(DatapathID.parse("00:00:00:00:00:00:00:001"))
    XCTAssertNil(DatapathID.parse("zz:00:00:00:00:00:00:01"))
    XCTAssertNil(DatapathID.parse("0x"))
    XCTAssertNil(DatapathID.parse(""))
  }

  func testMACAndIPv4() {
    XCTAssertEqual(AddressText.parseMAC("aa:BB:cc:0:1:2"), [0xaa, 0xbb, 0xcc, 0, 1, 2])
    XCTAssertEqual(AddressText.parseMAC("aa-bb-cc-dd-ee-ff"), [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
    XCTAssertNil(AddressText.parseMAC("aa:bb:cc:dd:ee"))
    XCTAssertNil(AddressText.parseMAC("aa:bb:cc:dd:ee:fff"))
    XCTAssertEqual(AddressText.parseIPv4("192.168.1.254"), 0xc0a8_01fe)
    XCTAssertNil(AddressText.parseIPv4("1.2.3"))
    XCTAssertNil(AddressText.parseIPv4("1.2.3.4.5"))
    XCTAssertNil(AddressText.parseIPv4("1..3.4"))
    XCTAssertNil(AddressText.parseIPv4("1.2.3.999"))
    XCTAssertEqual(AddressText.ipv4(0x0a00_0001), "10.0.0.1")
  }

  func testIPv6() {
    func round(_ s: String) -> String? { AddressText.parseIPv6(s).map { AddressText.ipv6($0) } }
    XCTAssertEqual(round("2001:DB8:0:0:0:0:0:1"), "2001:db8::1")
    XCTAssertEqual(round("::"), "::")
    XCTAssertEqual(round("::1"), "::1")
    XCTAssertEqual(round("fe80::"), "fe80::")
    XCTAssertEqual(round("1:0:0:2:0:0:0:3"), "1:0:0:2::3")
    XCTAssertEqual(round("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7")  // a single zero group is not compressed
    XCTAssertEqual(round("::ffff:10.0.0.1"), "::ffff:a00:1")
    for bad in ["1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "g::"] {
      XCTAssertNil(AddressText.parseIPv6(bad), bad)
    }
  }

  func testJSON() {
    let v: OFValue = .table([
      OFField("a", .uint(18_446_744_073_709_551_615)), OFField("b", .int(-3)), OFField("c", .bool(true)),
      OFField("d", .string("q\"\\\n\u{1}é")), OFField("e", .bytes([0x00, 0xab, 0x10])),
      OFField("f", .list([.uint(1), .emptyTable, .list([])])),
    ])
    XCTAssertEqual(v.jsonText, #"{"a":18446744073709551615,"b":-3,"c":true,"d":"q\"\\\n\u0001é","e":"00ab10","f":[1,{},[]]}"#)
  }
}
