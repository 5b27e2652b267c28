import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class ListenTests: XCTestCase {
  func testListenOnPortZeroAcceptAndExchange() throws {
    let loop = try EventLoop()
    var accepted: [Connection] = []
    let serverSide = Recorder()
    let listener = try loop.listen(host: "127.0.0.1", port: 0) { connection in
      connection.delegate = serverSide
      accepted.append(connection)
    }
    defer { listener.close() }
    XCTAssertNotEqual(listener.port, 0)
    XCTAssertEqual(listener.address, "127.0.0.1:\(listener.port)")

    let client = try loop.connect(host: "127.0.0.1", port: listener.port)
    let clientSide = Recorder()
    client.delegate = clientSide
    XCTAssertEqual(client.peer, "127.0.0.1:\(listener.port)")
    client.write(Array("hello".utf8))  // queued until the connect completes

    XCTAssertTrue(loop.spin { serverSide.received == Array("hello".utf8) })
    XCTAssertEqual(accepted.count, 1)
    let server = accepted[0]
    XCTAssertEqual(server.peer, "127.0.0.1:\(client.localPort)")
    XCTAssertEqual(server.localPort, listener.port)
    XCTAssertEqual(loop.connectionCount, 2)
    XCTAssertGreaterThan(server.id, client.id)

    server.write(Array("world".utf8))
    XCTAssertTrue(loop.spin { clientSide.received == Array("world".utf8) })
    client.close(reason: "done")
    XCTAssertTrue(loop.spin { serverSide.closeReasons == ["peer closed"] })
    XCTAssertEqual(clientSide.closeReasons, ["done"])
  }

  func testPortInUseNamesTheAddress() throws {
    let loop = try EventLoop()
    let first = try loop.listen(host: "127.0.0.1", port: 0) { _ in }
    defer { first.close() }
    XCTAssertThrowsError(try loop.listen(host: "127.0.0.1", port: first.port) { _ in }) { error in
      let message = (error as? ReactorError)?.message ?? ""
      XCTAssertTrue(message.contains("127.0.0.1:\(first.port)"), message)
      XCTAssertTrue(message.contains("Address already in use"), message)
    }
  }

  func testClosedListenerFreesThePort() throws {
    let loop = try EventLoop()
    let first = try loop.listen(host: "127.0.0.1", port: 0) { _ in }
    let port = first.port
    first.close()
    let again = try loop.listen(host: "127.0.0.1", port: port) { _ in }
    XCTAssertEqual(again.port, port)
    again.close()
  }

  func testAnyIPv6AndAnyIPv4ShareAPort() throws {
    let loop = try EventLoop()
    let six: Listener
    do {
      six = try loop.listen(host: "::", port: 0) { _ in }
    } catch {
      throw XCTSkip("no IPv6 here: \(error)")
    }
    defer { six.close() }
    XCTAssertEqual(six.address, "[::]:\(six.port)")
    let four = try loop.listen(host: "0.0.0.0", port: six.port) { _ in }
    defer { four.close() }
    XCTAssertEqual(four.port, six.port)
  }

  func testIPv6LoopbackPeerFormat() throws {
    let loop = try EventLoop()
    var accepted: Connection?
    let listener: Listener
    do {
      listener = try loop.listen(host: "::1", port: 0) { accepted = $0 }
    } catch {
      throw XCTSkip("no IPv6 loopback here: \(error)")
    }
    defer { listener.close() }
    let client = try loop.connect(host: "::1", port: listener.port)
    XCTAssertTrue(loop.spin { accepted != nil })
    XCTAssertEqual(client.peer, "[::1]:\(listener.port)")
    XCTAssertEqual(accepted?.peer, "[::1]:\(client.localPort)")
  }

  func testListenOnLocalhostName() throws {
    let loop = try EventLoop()
    let listener = try loop.listen(host: "localhost", port: 0) { _ in }
    defer { listener.close() }
    XCTAssertNotEqual(listener.port, 0)
    XCTAssertTrue(listener.address.hasSuffix(":\(listener.port)"))
  }

  func testConnectRefusedReportsReason() throws {
    let loop = try EventLoop()
    let probe = try loop.listen(host: "127.0.0.1", port: 0) { _ in }
    let port = probe.port
    probe.close()
    do {
      let connection = try loop.connect(host: "127.0.0.1", port: port)
      let recorder = Recorder()
      connection.delegate = recorder
      XCTAssertTrue(loop.spin { !connection.isOpen })
      XCTAssertEqual(recorder.closeReasons.count, 1)
      XCTAssertTrue(recorder.closeReasons[0].contains("Connection refused"), recorder.closeReasons[0])
    } catch let error as ReactorError {
      XCTAssertTrue(error.message.contains("Connection refused"), error.message)
    }
  }
}
