import XCTest
@testable import Reactor

final class ByteBufferTests: XCTestCase {
  func testReusesOneBlockAndCompactsOnlyWhenNeeded() {
    let buffer = ByteBuffer()
    pattern(3000).withUnsafeBytes { buffer.append($0) }
    XCTAssertEqual(buffer.count, 3000)
    let block = buffer.storage
    let capacity = buffer.capacity
    buffer.consume(2000)
    XCTAssertEqual(buffer.readIndex, 2000, "consuming moves an offset, nothing is copied")
    _ = buffer.reserve(capacity - 3000)
    XCTAssertEqual(buffer.readIndex, 2000, "room at the end: no compaction")
    _ = buffer.reserve(capacity - 1000)
    XCTAssertEqual(buffer.readIndex, 0, "compacted to make room")
    XCTAssertEqual(buffer.storage, block, "same block")
    XCTAssertEqual(Array(buffer.readable), Array(pattern(3000)[2000...]))
  }

  func testGrowsAndGivesBackLargeBlocksWhenEmpty() {
    let buffer = ByteBuffer(retainedCapacity: 8192)
    let data = pattern(100_000)
    data.withUnsafeBytes { buffer.append($0) }
    XCTAssertGreaterThanOrEqual(buffer.capacity, 100_000)
    XCTAssertEqual(Array(buffer.readable), data)
    buffer.consume(100_000)
    XCTAssertEqual(buffer.capacity, 0)
    XCTAssertTrue(buffer.isEmpty)
  }
}
