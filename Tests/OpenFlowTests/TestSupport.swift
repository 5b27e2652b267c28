import XCTest

@testable import OpenFlow

/// Bytes from hex text; spaces and newlines are ignored.
func hex(_ s: String) -> [UInt8] {
  let digits = s.utf8.filter { !($0 == 32 || $0 == 10) }
  precondition(digits.count % 2 == 0, "odd hex")
  var out: [UInt8] = []
  var i = digits.startIndex
  while i < digits.endIndex {
    let hi = AddressText.hexValue(digits[i])!, lo = AddressText.hexValue(digits[i + 1])!
    out.append(hi << 4 | lo)
    i += 2
  }
  return out
}

func hexText(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

/// Decodes `bytes`, re-encodes the result and asserts the same bytes come back.
@discardableResult
func assertRoundTrip(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> OFMessage {
  let m = try OFCodec.decode(bytes)
  let again = try OFCodec.encode(m)
  XCTAssertEqual(hexText(again), hexText(bytes), "re-encode of \(m.type) differs", file: file, line: line)
  return m
}

/// Encodes, decodes, and asserts the decode equals `expected` (or the input msg).
@discardableResult
func encodeDecode(_ m: OFMessage, file: StaticString = #filePath, line: UInt = #line) throws -> OFMessage {
  let bytes = try OFCodec.encode(m)
  let back = try OFCodec.decode(bytes)
  XCTAssertEqual(back.type, m.type, file: file, line: line)
  XCTAssertEqual(back.version, m.version, file: file, line: line)
  XCTAssertEqual(back.xid, m.xid, file: file, line: line)
  // Re-encoding the decode gives the same bytes.
  XCTAssertEqual(try OFCodec.encode(back), bytes, file: file, line: line)
  return back
}

/// Asserts decoding fails with an error naming `type` and containing `reason`.
func assertDecodeError(_ bytes: [UInt8], type: String? = nil, reason: String, offset: Int? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
  do {
    let m = try OFCodec.decode(bytes)
    XCTFail("decoded \(m.type) instead of failing with '\(reason)'", file: file, line: line)
  } catch {
    if let type { XCTAssertEqual(error.messageType, type, file: file, line: line) }
    XCTAssertTrue(error.reason.contains(reason), "reason was: \(error.reason)", file: file, line: line)
    if let offset { XCTAssertEqual(error.offset, offset, "offset; error: \(error)", file: file, line: line) }
  }
}

func assertEncodeError(_ m: OFMessage, reason: String, file: StaticString = #filePath, line: UInt = #line) {
  do {
    let b = try OFCodec.encode(m)
    XCTFail("encoded \(b.count) bytes instead of failing with '\(reason)'", file: file, line: line)
  } catch {
    XCTAssertEqual(error.messageType, m.type, file: file, line: line)
    XCTAssertTrue(error.reason.contains(reason), "reason was: \(error.reason)", file: file, line: line)
  }
}

/// Sets the header length of hand-built bytes.
func withLength(_ b: [UInt8]) -> [UInt8] {
  var b = b
  b[2] = UInt8(b.count >> 8)
  b[3] = UInt8(b.count & 255)
  return b
}
