import Foundation

/// The library of bundled apps installed beside the binary: SwiftPM's resource
/// folder after `swift build`, or `lib-lua` (or `../share/zofhost/lib-lua`)
/// for a copied install. nil when none is there.
func bundledLibrary() -> String? {
  guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
  let dir = (exe as NSString).deletingLastPathComponent
  let candidates = [
    dir + "/zofhost_zofhost.resources/lib-lua",
    dir + "/lib-lua",
    (dir as NSString).deletingLastPathComponent + "/share/zofhost/lib-lua",
  ]
  return candidates.first(where: isFolder)
}
