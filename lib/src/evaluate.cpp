#include <tenuo/evaluate.hpp>

#include <tenuo/cel.hpp>
#include <tenuo/limits.hpp>

#include "detail/eval_internal.hpp"
#include "detail/glob.hpp"
#include "detail/net.hpp"
#include "detail/regex.hpp"
#include "detail/shlex.hpp"
#include "detail/subpath.hpp"
#include "detail/url.hpp"
#include "detail/url_pattern.hpp"
#include "detail/urlsafe.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tenuo {
namespace detail {

std::string_view kind_name(const Value& v) noexcept {
  switch (v.kind()) {
    case ValueKind::Null: return "null";
    case ValueKind::Bool: return "a boolean";
    case ValueKind::Int: return "an integer";
    case ValueKind::Float: return "a float";
    case ValueKind::String: return "a string";
    case ValueKind::Array: return "a list";
    case ValueKind::Map: return "an object";
  }
  return "a value";
}

bool url_pattern_host_matches(std::string_view pattern_host, std::string_view host) {
  if (pattern_host == "*") return true;
  if (pattern_host.size() >= 2 && pattern_host[0] == '*' && pattern_host[1] == '.') {
    const std::string_view base = pattern_host.substr(2);
    if (iequals_ascii(host, base)) return true;
    return host.size() > base.size() && host[host.size() - base.size() - 1] == '.' &&
           iequals_ascii(host.substr(host.size() - base.size()), base);
  }
  return iequals_ascii(pattern_host, host);
}

}  // namespace detail

namespace {

using detail::kind_name;

Match yes() { return Match{true, {}}; }
Match no(std::string why) { return Match{false, std::move(why)}; }

Unexpected violation(std::string why) {
  return fail(ErrorCode::ConstraintViolation, std::move(why));
}

bool contains_value(const std::vector<Value>& set, const Value& v) {
  return std::any_of(set.begin(), set.end(), [&](const Value& x) { return x == v; });
}

std::string list_text(const std::vector<Value>& vs) {
  std::string out = "[";
  for (std::size_t i = 0; i < vs.size(); ++i) {
    if (i) out += ", ";
    out += display(vs[i]);
  }
  return out + "]";
}

std::string bound_text(double d) { return fmt::format("{}", d); }

Result<Match> eval(const Constraint& c, const Value& v, std::size_t level);

Result<Match> eval_one(const c::Wildcard&, const Value&, std::size_t) { return yes(); }

Result<Match> eval_one(const c::Exact& x, const Value& v, std::size_t) {
  if (v == x.value) return yes();
  return no(fmt::format("{} is not exactly {}", display(v), display(x.value)));
}

Result<Match> eval_one(const c::OneOf& x, const Value& v, std::size_t) {
  if (contains_value(x.values, v)) return yes();
  return no(fmt::format("{} is not one of {}", display(v), list_text(x.values)));
}

Result<Match> eval_one(const c::NotOneOf& x, const Value& v, std::size_t) {
  if (!contains_value(x.excluded, v)) return yes();
  return no(fmt::format("{} is excluded", display(v)));
}

Result<Match> eval_one(const c::Pattern& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a string, got {}", kind_name(v)));
  TENUO_TRY_ASSIGN(const auto g, detail::Glob::compile(x.pattern));
  if (g.matches(v.as_string())) return yes();
  return no(fmt::format("{} does not match the pattern \"{}\"", display(v), x.pattern));
}

Result<Match> eval_one(const c::Regex& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a string, got {}", kind_name(v)));
  TENUO_TRY_ASSIGN(const bool m, detail::regex_search(x.pattern, v.as_string()));
  if (m) return yes();
  return no(fmt::format("the string does not match the regex \"{}\"", x.pattern));
}

Result<Match> eval_one(const c::Range& x, const Value& v, std::size_t) {
  if (!v.is_number()) return no(fmt::format("expected a number, got {}", kind_name(v)));
  const double d = v.as_number();
  if (std::isnan(d)) return no("NaN is never in a range");
  // Stricter than the reference (which compares infinities normally): ±inf is refused.
  if (std::isinf(d)) return no(fmt::format("{} is not a finite number", display(v)));
  if (x.min) {
    const bool ok = x.min_inclusive ? d >= *x.min : d > *x.min;
    if (!ok)
      return no(fmt::format("{} is below the minimum {} ({})", display(v), bound_text(*x.min),
                            x.min_inclusive ? "inclusive" : "exclusive"));
  }
  if (x.max) {
    const bool ok = x.max_inclusive ? d <= *x.max : d < *x.max;
    if (!ok)
      return no(fmt::format("{} is above the maximum {} ({})", display(v), bound_text(*x.max),
                            x.max_inclusive ? "inclusive" : "exclusive"));
  }
  return yes();
}

Result<Match> eval_one(const c::Cidr& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected an IP address string, got {}", kind_name(v)));
  const auto net = detail::parse_network(x.network);
  if (!net) return violation(fmt::format("invalid CIDR network \"{}\"", x.network));
  const auto ip = detail::parse_ip(v.as_string());
  if (!ip) return violation(fmt::format("{} is not an IP address", display(v)));
  if (detail::contains(*net, *ip)) return yes();
  return no(fmt::format("{} is not inside {}", v.as_string(), x.network));
}

Result<Match> eval_one(const c::UrlPattern& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a URL string, got {}", kind_name(v)));
  auto pat = detail::parse_url_pattern(x.pattern);
  if (!pat) return violation(pat.error().message);
  auto url = detail::parse_url(v.as_string());
  if (!url) return violation(url.error().message);
  if (pat->scheme != "*" && pat->scheme != url->scheme)
    return no(fmt::format("scheme '{}' is not '{}'", url->scheme, pat->scheme));
  // A URL without a host never matches a host pattern (stricter; the reference compares "").
  if (url->host.empty()) return no("the URL has no host");
  if (!detail::url_pattern_host_matches(pat->host, url->host))
    return no(fmt::format("host {} does not match '{}'", url->host, pat->host));
  if (pat->port) {
    std::uint16_t actual = 0;
    if (url->port)
      actual = *url->port;
    else if (url->scheme == "https")
      actual = 443;
    else if (url->scheme == "http")
      actual = 80;
    if (actual != *pat->port)
      return no(fmt::format("port {} is not {}", actual, *pat->port));
  }
  if (pat->path && *pat->path != "*" && *pat->path != "/*") {
    TENUO_TRY_ASSIGN(const auto g, detail::Glob::compile(*pat->path));
    const std::string path = url->path_string();
    if (!g.matches(path))
      return no(fmt::format("path {} does not match '{}'", path, *pat->path));
  }
  return yes();
}

Result<Match> eval_one(const c::Contains& x, const Value& v, std::size_t) {
  if (!v.is_list()) return no(fmt::format("expected a list, got {}", kind_name(v)));
  for (const auto& r : x.required)
    if (!contains_value(v.as_list(), r)) return no(fmt::format("the list lacks {}", display(r)));
  return yes();
}

Result<Match> eval_one(const c::Subset& x, const Value& v, std::size_t) {
  if (!v.is_list()) return no(fmt::format("expected a list, got {}", kind_name(v)));
  for (const auto& e : v.as_list())
    if (!contains_value(x.allowed, e)) return no(fmt::format("{} is not allowed", display(e)));
  return yes();
}

Result<Match> eval_one(const c::All& x, const Value& v, std::size_t level) {
  // Since 0.3.1 an empty All is an error (it matched everything before).
  if (x.constraints.empty()) return violation("empty All constraint");
  for (std::size_t i = 0; i < x.constraints.size(); ++i) {
    TENUO_TRY_ASSIGN(Match m, eval(x.constraints[i], v, level + 1));
    if (!m.ok) return no(fmt::format("All clause {}: {}", i + 1, m.reason));
  }
  return yes();
}

Result<Match> eval_one(const c::Any& x, const Value& v, std::size_t level) {
  std::string last;
  for (const auto& child : x.constraints) {
    TENUO_TRY_ASSIGN(Match m, eval(child, v, level + 1));
    if (m.ok) return yes();
    last = std::move(m.reason);
  }
  if (x.constraints.empty()) return no("empty Any matches nothing");
  return no(fmt::format("no Any clause matches (last: {})", last));
}

Result<Match> eval_one(const c::Not& x, const Value& v, std::size_t level) {
  if (!x.constraint) return violation("Not without an inner constraint");
  TENUO_TRY_ASSIGN(Match m, eval(*x.constraint, v, level + 1));
  if (m.ok) return no(fmt::format("{} matches the negated constraint", display(v)));
  return yes();
}

Result<Match> eval_one(const c::Cel& x, const Value& v, std::size_t) {
  TENUO_TRY_ASSIGN(const bool m, cel_matches(x.expression, v));
  if (m) return yes();
  return no(fmt::format("the CEL expression is false for {}", display(v)));
}

Result<Match> eval_one(const c::Subpath& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a path string, got {}", kind_name(v)));
  auto r = detail::subpath_check(x, v.as_string());
  if (r.ok) return yes();
  return no(std::move(r.reason));
}

Result<Match> eval_one(const c::UrlSafe& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a URL string, got {}", kind_name(v)));
  auto r = detail::url_safe_check(x, v.as_string());
  if (r.ok) return yes();
  return no(std::move(r.reason));
}

Result<Match> eval_one(const c::Shlex& x, const Value& v, std::size_t) {
  if (!v.is_string()) return no(fmt::format("expected a command string, got {}", kind_name(v)));
  auto r = detail::shlex_check(x.allow, v.as_string());
  if (r.ok) return yes();
  return no(std::move(r.reason));
}

Result<Match> eval_one(const c::Unknown& x, const Value&, std::size_t) {
  return violation(fmt::format("unknown constraint type {} cannot be evaluated", x.type_id));
}

Result<Match> eval(const Constraint& c, const Value& v, std::size_t level) {
  // The decoder bounds nesting; this guard keeps hand-built trees from recursing unboundedly.
  if (level > kMaxConstraintDepth)
    return fail(ErrorCode::TooManyConstraints,
                fmt::format("constraint nesting deeper than {}", kMaxConstraintDepth));
  return std::visit([&](const auto& x) { return eval_one(x, v, level); }, c.variant());
}

}  // namespace

Result<Match> evaluate(const Constraint& c, const Value& value) { return eval(c, value, 0); }

}  // namespace tenuo
