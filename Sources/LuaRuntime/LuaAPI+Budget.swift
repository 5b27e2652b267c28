import CLua
import CShim

extension LuaRuntime {
  /// core.arm(): starts the handler budget; core.disarm() -> true if the step
  /// was aborted by it; core.budget_ms() -> the budget.
  static func registerBudget(_ L: OpaquePointer) {
    set(L, "arm") { L in
      zs_budget_arm(L, LuaRuntime.of(L).options.handlerBudgetMs / 1000)
      return 0
    }
    set(L, "disarm") { L in
      zs_budget_arm(L, 0)
      lua_pushboolean(L, zs_budget_take_abort(L))
      return 1
    }
    set(L, "budget_ms") { L in
      lua_pushnumber(L, LuaRuntime.of(L).options.handlerBudgetMs)
      return 1
    }
  }
}
