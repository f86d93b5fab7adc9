#pragma once
// Result<T>: a value or a tenuo::Error, with std::expected's member names.
// Every decode, verify, authorize and explain path returns one; none of them throw.
// Thread-safety: a Result is a plain value with the thread-safety of the T it holds: concurrent
// const access is safe, mutation needs exclusive access. fail() is pure.

#include <tenuo/error.hpp>

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace tenuo {

struct Unexpected {
  Error error;
};

// Builds an Unexpected from a code and a message.
[[nodiscard]] inline Unexpected fail(ErrorCode code, std::string message) {
  return Unexpected{Error{code, std::move(message)}};
}

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Unexpected u) : m_v(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Result> &&
             !std::is_same_v<std::decay_t<U>, Unexpected> && !std::is_same_v<std::decay_t<U>, T>)
  Result(U&& u) : m_v(std::in_place_index<0>, T(std::forward<U>(u))) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  const Error& error() const& { return std::get<1>(m_v); }
  Error&& error() && { return std::get<1>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Unexpected u) : m_error(std::move(u.error)) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool has_value() const noexcept { return !m_error.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {}
  const Error& error() const& { return *m_error; }
  Error&& error() && { return std::move(*m_error); }

 private:
  std::optional<Error> m_error;
};

}  // namespace tenuo

// Propagates the error of `expr` (a Result) out of the current function.
#define TENUO_TRY(expr)                                              \
  do {                                                               \
    if (auto tenuo_r_ = (expr); !tenuo_r_)                           \
      return ::tenuo::Unexpected{std::move(tenuo_r_).error()};       \
  } while (false)

#define TENUO_CONCAT_INNER_(a, b) a##b
#define TENUO_CONCAT_(a, b) TENUO_CONCAT_INNER_(a, b)
// Declares `decl` from the value of `expr`, or propagates its error.
#define TENUO_TRY_ASSIGN(decl, expr) \
  TENUO_TRY_ASSIGN_IMPL_(TENUO_CONCAT_(tenuo_ra_, __LINE__), decl, expr)
#define TENUO_TRY_ASSIGN_IMPL_(tmp, decl, expr)                 \
  auto tmp = (expr);                                            \
  if (!tmp) return ::tenuo::Unexpected{std::move(tmp).error()}; \
  decl = std::move(tmp).value()
