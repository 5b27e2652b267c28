import Testing

/// The case-file parser: the mistakes it must report rather than pass over.
struct AppCaseParseTests {
  @Test func misspeltSectionIsAnErrorNamingFileLineAndSection() throws {
    let text = """
      === a case
      --- app a.lua
      print("hi")
      --- lgo
      [a] hi
      """
    let (cases, errors) = AppCase.parse(file: "x.t", text: text)
    #expect(errors.count == 1)
    let e = try #require(errors.first)
    #expect(e.file == "x.t")
    #expect(e.line == 4)
    #expect(e.description.hasPrefix("x.t:4: unknown section '--- lgo' in case 'a case'"))
    // The case carries the error (so it fails rather than runs), and the
    // misspelt section's text went nowhere.
    #expect(cases.count == 1)
    #expect(cases.first?.errors == errors)
    #expect(cases.first?.log == [])
  }

  @Test func misplacedAndIncompleteSectionsAreErrors() {
    let text = """
      Text before the first case is a comment.
      --- app early.lua
      === c
      stray text
      --- app
      print("under a bad header: not reported again")
      --- switch 7.7
      --- close

      more stray text
      --- log
      """
    let (cases, errors) = AppCase.parse(file: "y.t", text: text)
    #expect(errors.map(\.line) == [2, 4, 5, 7, 10])
    #expect(errors.map(\.message) == [
      "section '--- app early.lua' comes before the first case ('=== name')",
      "text outside any section: 'stray text'",
      "section '--- app' needs an argument",
      "'--- switch 7.7': no such OpenFlow version",
      "text under '--- close', which takes none: 'more stray text'",
    ])
    #expect(cases.map(\.errors.count) == [4])
  }

  @Test func onlyAndSkipMarks() {
    let text = """
      === plain
      --- app a.lua
      === focused
      --- ONLY
      --- app a.lua
      === skipped with a reason
      --- SKIP waits for the new decoder
      --- app a.lua
      === skipped
      --- SKIP
      """
    let (cases, errors) = AppCase.parse(file: "z.t", text: text)
    #expect(errors.isEmpty)
    #expect(cases.map(\.title) == ["z.t: plain", "z.t: focused", "z.t: skipped with a reason", "z.t: skipped"])
    #expect(cases.map(\.only) == [false, true, false, false])
    #expect(cases.map(\.skip) == [nil, nil, "waits for the new decoder", ""])
  }
}
