#pragma once
// CEL (Common Expression Language) for the Cel constraint (WIRE.md §11 Cel row, §12.2 Cel→Cel).
// A self-contained interpreter for the subset warrants use: literals of every CEL type,
// arithmetic, comparisons, && || ! ?:, `in`, field/index access, has(), size/contains/
// startsWith/endsWith/matches (RE2), conversions, the list macros all/exists/exists_one/map/
// filter, and the Tenuo extras net_in_cidr/net_is_private (time_* fail closed).
// Semantics choices (heterogeneous numeric equality, result mapping, limits) are described in
// lib/src/cel.cpp. Every failure is ErrorCode::ConstraintViolation (1501).
// Thread-safety: a CelProgram is immutable (its AST is shared const between copies), so copies
// may be made and evaluate() run concurrently from any number of threads. cel_compile_cached,
// cel_cache_size and cel_matches are thread-safe: the process-wide compile cache is guarded by
// a mutex, held only for lookup and insertion (two threads missing on the same text may both
// compile it; the first stored result wins). Regexes compiled by matches() at evaluation time
// go through a second mutex-protected cache. cel_attenuates compiles through the same cache.

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tenuo {

inline constexpr std::size_t kMaxCelExpressionBytes = 16 * 1024;  // longer text: compile error
inline constexpr std::size_t kMaxCelNesting = 64;         // parser recursion and AST depth
inline constexpr std::uint64_t kDefaultCelCost = 100'000;  // evaluation steps
inline constexpr std::size_t kCelCacheCapacity = 256;     // compiled expressions kept

struct CelLimits {
  // Evaluation steps allowed: one per node visited, per list element/map entry touched, and
  // per 16 bytes of string/bytes data processed or produced. Exceeding it is an error.
  std::uint64_t max_cost = kDefaultCelCost;
};

// A compiled expression: an immutable AST shared between copies, so copies are cheap and
// evaluate() may run concurrently on one program.
class TENUO_EXPORT CelProgram {
 public:
  // Parses and checks `expr` (length, nesting, known functions and macros, literal regexes).
  static Result<CelProgram> compile(std::string_view expr);
  // Evaluates with `arg` bound per WIRE.md §11: an Object's fields become top-level
  // variables, any other value is bound as `value`. The result is mapped to a Value (uint →
  // Integer when it fits i64, else Float; bytes → String when valid UTF-8, else an error).
  [[nodiscard]] Result<Value> evaluate(const Value& arg, const CelLimits& limits = {}) const;
  // The source text the program was compiled from.
  [[nodiscard]] const std::string& source() const noexcept;

  struct Impl;
  // The compiled form, for the library's own use (opaque outside it).
  [[nodiscard]] const Impl& impl() const noexcept { return *m_impl; }

 private:
  explicit CelProgram(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
  std::shared_ptr<const Impl> m_impl;
};

// Compiles through a process-wide, mutex-protected LRU cache keyed by expression text
// (compile failures are cached too).
[[nodiscard]] TENUO_EXPORT Result<CelProgram> cel_compile_cached(std::string_view expr);
// Number of entries currently held by that cache (never above kCelCacheCapacity).
[[nodiscard]] TENUO_EXPORT std::size_t cel_cache_size() noexcept;

// The Cel constraint verdict: compile (cached), evaluate against `value`, require a bool.
// A non-bool result or any compile/evaluation failure is an Error with ConstraintViolation.
[[nodiscard]] TENUO_EXPORT Result<bool> cel_matches(std::string_view expression,
                                                    const Value& value,
                                                    const CelLimits& limits = {});

// §12.2 Cel→Cel: whitespace-stripped texts equal → true; otherwise the stripped child must be
// "(" + stripped parent + ")&&" followed by one balanced parenthesised group, and it must
// compile. Stricter than the reference: the child's AST must also be `P && R` with P
// structurally equal to the parent's AST, and texts equal only after stripping must parse to
// the same AST (so `(p)&&(x)||(y)` and whitespace inside string literals cannot widen p).
[[nodiscard]] TENUO_EXPORT bool cel_attenuates(std::string_view parent, std::string_view child);

}  // namespace tenuo
