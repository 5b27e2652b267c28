import XCTest
@testable import Reactor

final class ByteBufferTests: XCTestCase {
  func testReusesOneBlockAndCompactsOnlyWhenNeeded() {
    let buffer = ByteBuffer()
    fill(buffer, pattern(3000))
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
    fill(buffer, data)
    XCTAssertGreaterThanOrEqual(buffer.capacity, 100_000)
    XCTAssertEqual(Array(buffer.readable), data)
    buffer.consume(100_000)
    XCTAssertEqual(buffer.capacity, 0)
    XCTAssertTrue(buffer.isEmpty)
  }
}

/// Queues `bytes` as the loop's reads do: reserve room, copy, commit.
private func fill(_ buffer: ByteBuffer, _ bytes: [UInt8]) {
  bytes.withUnsafeBytes { buffer.reserve($0.count).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
  buffer.commit(bytes.count)
}
