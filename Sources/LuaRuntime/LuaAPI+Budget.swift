import CLua
import CShim

extension LuaRuntime {
  /// core.arm([co]) starts the handler budget on that coroutine (or the
  /// calling thread); core.disarm([co]) -> true if the step was aborted by it
  /// (both in C); core.budget_ms() -> the budget.
  static func registerBudget(_ L: OpaquePointer) {
    zs_push_budget_fns(L)
    set(L, "budget_ms") { L in
      lua_pushnumber(L, LuaRuntime.of(L).options.handlerBudgetMs)
      return 1
    }
  }
}
