#include "detail/subpath.hpp"

#include "detail/unicode_case.hpp"
#include "detail/url.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <vector>

namespace tenuo::detail {
namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Folds the NFKC compatibility forms of '.', '/' and '\' to ASCII; nullopt if there are none.
std::optional<std::string> fold_lookalikes(std::string_view s) {
  std::string out;
  bool changed = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const char32_t cp = next_scalar(s, i);
    switch (cp) {
      case 0x2024: case 0xFE52: case 0xFF0E: out += "."; changed = true; break;
      case 0x2025: out += ".."; changed = true; break;
      case 0x2026: out += "..."; changed = true; break;
      case 0xFF0F: out += "/"; changed = true; break;
      case 0xFE68: case 0xFF3C: out += "\\"; changed = true; break;
      default: out.append(s.substr(start, i - start));
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

struct Single {
  bool ok = false;
  std::string normalized;
  std::string why;
};

Single check_single(const c::Subpath& c, std::string_view path) {
  Single r;
  if (path.find('\0') != std::string_view::npos) {
    r.why = "contains a NUL byte";
    return r;
  }
  auto norm = normalize_subpath(path);
  if (!norm) {
    r.why = "is not an absolute path";
    return r;
  }
  r.normalized = *norm;
  std::string root = c.root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  std::string value = *norm;
  if (!c.case_sensitive) {
    auto lv = unicode_lower(value);
    auto lr = unicode_lower(root);
    if (!lv || !lr) {
      r.why = "cannot be compared case-insensitively (unsupported characters)";
      return r;
    }
    value = std::move(*lv);
    root = std::move(*lr);
  }
  if (value == root || (root.empty() && value == "/")) {
    if (c.allow_equal) {
      r.ok = true;
      return r;
    }
    r.why = fmt::format("normalises to {}, which is the root itself (allow_equal is false)", *norm);
    return r;
  }
  if (value.size() > root.size() && value.compare(0, root.size(), root) == 0 &&
      value[root.size()] == '/') {
    r.ok = true;
    return r;
  }
  r.why = fmt::format("normalises to {}, outside {}", *norm, c.root);
  return r;
}

}  // namespace

std::optional<std::string> normalize_subpath(std::string_view path) {
  if (path.find('\0') != std::string_view::npos) return std::nullopt;
  std::string prefix;
  std::string_view rest;
  if (!path.empty() && path[0] == '/') {
    prefix = "/";
    rest = path.substr(1);
  } else if (path.size() >= 3 && is_alpha(path[0]) && path[1] == ':' &&
             (path[2] == '/' || path[2] == '\\')) {
    prefix = std::string(path.substr(0, 2)) + "/";
    rest = path.substr(3);
  } else {
    return std::nullopt;
  }
  std::vector<std::string_view> segs;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == '/' || rest[i] == '\\') {
      const std::string_view seg = rest.substr(start, i - start);
      start = i + 1;
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (!segs.empty()) segs.pop_back();
        continue;
      }
      segs.push_back(seg);
    }
  }
  std::string out = prefix;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (i) out.push_back('/');
    out.append(segs[i]);
  }
  return out;
}

SubpathVerdict subpath_check(const c::Subpath& c, std::string_view path) {
  SubpathVerdict v;
  Single raw = check_single(c, path);
  v.normalized = raw.normalized;
  if (!raw.ok) {
    v.reason = fmt::format("path {} {}", path, raw.why);
    return v;
  }
  // Other readings a downstream consumer might apply: percent-decoding (once, twice) and
  // compatibility folding. Each must stay inside the root too.
  std::vector<std::pair<std::string, const char*>> readings;
  if (path.find('%') != std::string_view::npos) {
    std::string d1 = percent_decode(path);
    if (d1 != path) {
      std::string d2 = percent_decode(d1);
      readings.emplace_back(d1, "percent-decoded");
      if (d2 != d1) readings.emplace_back(std::move(d2), "twice percent-decoded");
    }
  }
  const std::size_t n = readings.size();
  if (auto f = fold_lookalikes(path)) readings.emplace_back(std::move(*f), "with look-alike characters folded");
  for (std::size_t i = 0; i < n; ++i)
    if (auto f = fold_lookalikes(readings[i].first))
      readings.emplace_back(std::move(*f), "decoded, with look-alike characters folded");
  for (const auto& [text, how] : readings) {
    Single s = check_single(c, text);
    if (!s.ok) {
      v.reason = fmt::format("path {} {} {}", path, how, s.why);
      return v;
    }
  }
  v.ok = true;
  return v;
}

}  // namespace tenuo::detail
