#include "detail/glob.hpp"

#include "detail/utf8.hpp"

#include <algorithm>

namespace tenuo::detail {
namespace {

using Kind = GlobToken::Kind;

bool is_separator(char32_t c) noexcept { return c == U'/'; }

// Ranges `a-b` are read greedily left to right; anything else is a single character.
std::vector<std::pair<char32_t, char32_t>> parse_specifiers(std::u32string_view s) {
  std::vector<std::pair<char32_t, char32_t>> out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 3 <= s.size() && s[i + 1] == U'-') {
      out.emplace_back(s[i], s[i + 2]);
      i += 3;
    } else {
      out.emplace_back(s[i], s[i]);
      ++i;
    }
  }
  return out;
}

bool in_specifiers(const std::vector<std::pair<char32_t, char32_t>>& spec, char32_t c) noexcept {
  return std::any_of(spec.begin(), spec.end(),
                     [c](const auto& r) { return c >= r.first && c <= r.second; });
}

bool token_matches(const GlobToken& t, char32_t c) noexcept {
  switch (t.kind) {
    case Kind::Char: return t.ch == c;
    case Kind::AnyChar: return true;
    case Kind::AnyWithin: return in_specifiers(t.ranges, c);
    case Kind::AnyExcept: return !in_specifiers(t.ranges, c);
    case Kind::AnySequence:
    case Kind::AnyRecursive: break;
  }
  return false;
}

enum class Seg : std::uint8_t { Ok, Mismatch, OutOfInput };

}  // namespace

Result<Glob> Glob::compile(std::string_view pattern) {
  // A direct port of the reference glob library's Pattern::new (Unix separators).
  const std::u32string chars = decode_utf8(pattern);
  const std::size_t n = chars.size();
  Glob g;
  auto& tokens = g.m_tokens;
  std::size_t i = 0;
  while (i < n) {
    const char32_t c = chars[i];
    if (c == U'?') {
      tokens.push_back({Kind::AnyChar, 0, {}});
      ++i;
    } else if (c == U'*') {
      const std::size_t old = i;
      while (i < n && chars[i] == U'*') ++i;
      const std::size_t count = i - old;
      if (count > 2)
        return fail(ErrorCode::ConstraintViolation,
                    "invalid glob: more than two consecutive '*' in \"" + std::string(pattern) + "\"");
      if (count == 2) {
        if (i == 2 || is_separator(chars[i - count - 1])) {
          if (i < n && is_separator(chars[i])) {
            ++i;
          } else if (i != n) {
            return fail(ErrorCode::ConstraintViolation,
                        "invalid glob: '**' must be a whole path segment in \"" +
                            std::string(pattern) + "\"");
          }
        } else {
          return fail(ErrorCode::ConstraintViolation,
                      "invalid glob: '**' must be a whole path segment in \"" +
                          std::string(pattern) + "\"");
        }
        const std::size_t len = tokens.size();
        if (!(len > 1 && tokens[len - 1].kind == Kind::AnyRecursive))
          tokens.push_back({Kind::AnyRecursive, 0, {}});
      } else {
        tokens.push_back({Kind::AnySequence, 0, {}});
      }
    } else if (c == U'[') {
      const std::u32string_view cv(chars);
      if (i + 4 <= n && chars[i + 1] == U'!') {
        const auto close = cv.find(U']', i + 3);
        if (close != std::u32string_view::npos) {
          tokens.push_back({Kind::AnyExcept, 0, parse_specifiers(cv.substr(i + 2, close - (i + 2)))});
          i = close + 1;
          continue;
        }
      } else if (i + 3 <= n && chars[i + 1] != U'!') {
        const auto close = cv.find(U']', i + 2);
        if (close != std::u32string_view::npos) {
          tokens.push_back({Kind::AnyWithin, 0, parse_specifiers(cv.substr(i + 1, close - (i + 1)))});
          i = close + 1;
          continue;
        }
      }
      return fail(ErrorCode::ConstraintViolation,
                  "invalid glob: unclosed or empty '[' in \"" + std::string(pattern) + "\"");
    } else {
      tokens.push_back({Kind::Char, c, {}});
      ++i;
    }
  }
  return g;
}

bool Glob::matches(std::string_view text) const {
  // Equivalent to the reference's recursive matcher: a star's continuation that reaches the
  // next star always ends the whole match (success, or out of input), so the search never
  // backtracks past a star and can run as a loop — O(text × pattern), no recursion.
  const std::u32string s = decode_utf8(text);
  const auto& t = m_tokens;
  const std::size_t nt = t.size();
  const std::size_t ns = s.size();

  // Matches the run of single-character tokens starting at token `k`, text position `at`.
  auto segment = [&](std::size_t k, std::size_t at, std::size_t& end_k, std::size_t& end_at) {
    for (; k < nt && !t[k].is_star(); ++k, ++at) {
      if (at == ns) return Seg::OutOfInput;
      if (!token_matches(t[k], s[at])) return Seg::Mismatch;
    }
    end_k = k;
    end_at = at;
    return Seg::Ok;
  };

  std::size_t ti = 0;
  std::size_t pos = 0;
  if (segment(0, 0, ti, pos) != Seg::Ok) return false;
  for (;;) {
    if (ti == nt) return pos == ns;
    const bool recursive = t[ti].kind == Kind::AnyRecursive;
    const std::size_t next = ti + 1;
    bool committed = false;
    for (std::size_t p = pos;; ++p) {
      // `**` resumes only at the start or right after a separator.
      const bool try_here = p == pos || !recursive || is_separator(s[p - 1]);
      if (try_here) {
        std::size_t ek = 0;
        std::size_t ep = 0;
        const Seg r = segment(next, p, ek, ep);
        if (r == Seg::OutOfInput) return false;
        if (r == Seg::Ok) {
          if (ek == nt) {
            if (ep == ns) return true;
          } else {
            ti = ek;
            pos = ep;
            committed = true;
            break;
          }
        }
      }
      if (p == ns) break;
    }
    if (committed) continue;
    // The star swallowed the rest of the text; the remaining tokens see empty input.
    std::size_t ek = 0;
    std::size_t ep = 0;
    if (segment(next, ns, ek, ep) != Seg::Ok) return false;
    if (ek == nt) return true;
    ti = ek;
    pos = ns;
  }
}

Result<bool> glob_matches(std::string_view pattern, std::string_view text) {
  TENUO_TRY_ASSIGN(auto g, Glob::compile(pattern));
  return g.matches(text);
}

}  // namespace tenuo::detail
