#if canImport(Glibc)
import Glibc
#endif

/// A growable byte queue: data lives in [readIndex, writeIndex) of one heap
/// block that is reused across reads and writes. Consuming only moves
/// readIndex; the tail is moved to the front only when room at the end runs out.
final class ByteBuffer {
  private(set) var storage: UnsafeMutableRawPointer?
  private(set) var capacity = 0
  private(set) var readIndex = 0
  private(set) var writeIndex = 0
  /// Capacity kept when the buffer empties; a larger block is given back so an
  /// idle connection does not hold a burst's worth of memory.
  let retainedCapacity: Int

  init(retainedCapacity: Int = 256 * 1024) {
    self.retainedCapacity = retainedCapacity
  }

  deinit { free(storage) }

  var count: Int { writeIndex - readIndex }
  var isEmpty: Bool { writeIndex == readIndex }

  var readable: UnsafeRawBufferPointer {
    guard let storage else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: storage + readIndex, count: count)
  }

  /// Makes room for `n` more bytes at the end and returns where they go.
  func reserve(_ n: Int) -> UnsafeMutableRawPointer {
    if capacity - writeIndex < n {
      let live = count
      // Compact only when at most half the block is live, so each byte is
      // moved a bounded number of times; otherwise grow.
      if readIndex > 0 && live <= capacity / 2 && capacity - live >= n {
        memmove(storage!, storage! + readIndex, live)
      } else {
        var newCapacity = Swift.max(capacity * 2, 4096)
        while newCapacity - live < n { newCapacity *= 2 }
        let block = malloc(newCapacity)!
        if live > 0 { memcpy(block, storage! + readIndex, live) }
        free(storage)
        storage = block
        capacity = newCapacity
      }
      readIndex = 0
      writeIndex = live
    }
    return storage! + writeIndex
  }

  /// Marks `n` bytes after a `reserve` as written.
  func commit(_ n: Int) {
    precondition(n >= 0 && writeIndex + n <= capacity)
    writeIndex += n
  }

  func consume(_ n: Int) {
    precondition(n >= 0 && n <= count, "consume(\(n)) with \(count) bytes buffered")
    readIndex += n
    if readIndex == writeIndex {
      readIndex = 0
      writeIndex = 0
      if capacity > retainedCapacity {
        free(storage)
        storage = nil
        capacity = 0
      }
    }
  }

  func removeAll() {
    free(storage)
    storage = nil
    capacity = 0
    readIndex = 0
    writeIndex = 0
  }
}
