#include "detail/unicode_case.hpp"

#include "detail/utf8.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

namespace tenuo::detail {
namespace {

struct LowerEntry {
  char32_t cp;
  char32_t first;
  char32_t second;  // 0 when the mapping is a single scalar
};
struct CpRange {
  char32_t lo;
  char32_t hi;
};

#include "detail/unicode_case_data.inc"

template <std::size_t N>
bool in_ranges(const CpRange (&table)[N], char32_t c) noexcept {
  const auto* it = std::upper_bound(std::begin(table), std::end(table), c,
                                    [](char32_t v, const CpRange& r) { return v < r.lo; });
  if (it == std::begin(table)) return false;
  --it;
  return c <= it->hi;
}

bool case_ignorable(char32_t c) noexcept { return in_ranges(kCaseIgnorable, c); }
bool cased(char32_t c) noexcept { return in_ranges(kCased, c); }

const LowerEntry* find_lower(char32_t c) noexcept {
  const auto* it = std::lower_bound(std::begin(kLowerMap), std::end(kLowerMap), c,
                                    [](const LowerEntry& e, char32_t v) { return e.cp < v; });
  if (it != std::end(kLowerMap) && it->cp == c) return it;
  return nullptr;
}

// Final_Sigma: preceded by cased (skipping case-ignorable) and not followed by one.
bool final_sigma(const std::u32string& s, std::size_t i) noexcept {
  std::size_t j = i;
  bool before = false;
  while (j > 0) {
    --j;
    if (!case_ignorable(s[j])) {
      before = cased(s[j]);
      break;
    }
  }
  if (!before) return false;
  for (std::size_t k = i + 1; k < s.size(); ++k)
    if (!case_ignorable(s[k])) return !cased(s[k]);
  return true;
}

}  // namespace

std::optional<std::string> unicode_lower(std::string_view s) {
  if (is_ascii(s)) return ascii_lower(s);
  if (!is_valid_utf8(s)) return std::nullopt;
  const std::u32string u = decode_utf8(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < u.size(); ++i) {
    const char32_t c = u[i];
    if (c == 0x3A3) {
      append_utf8(out, final_sigma(u, i) ? char32_t{0x3C2} : char32_t{0x3C3});
      continue;
    }
    if (const auto* e = find_lower(c)) {
      append_utf8(out, e->first);
      if (e->second) append_utf8(out, e->second);
    } else {
      append_utf8(out, c);
    }
  }
  return out;
}

}  // namespace tenuo::detail
