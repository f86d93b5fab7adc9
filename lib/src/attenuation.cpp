#include <tenuo/attenuation.hpp>

#include <tenuo/cel.hpp>
#include <tenuo/evaluate.hpp>
#include <tenuo/limits.hpp>

#include "detail/eval_internal.hpp"
#include "detail/glob.hpp"
#include "detail/net.hpp"
#include "detail/subpath.hpp"
#include "detail/unicode_case.hpp"
#include "detail/url_pattern.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

// Rules of WIRE.md §12.2, first matching row wins. Where the reference's rule would let a child
// accept a value its parent refuses, the check here is stricter (marked "Stricter:"), so that
// every accepted pair is sound: child accepts v ⇒ parent accepts v.

namespace tenuo {
namespace {

using detail::kind_name;

// Pair visits allowed for one top-level check: All→All and Any→Any compare every clause pair,
// so two wide, deep trees could otherwise cost far more than their size.
constexpr std::size_t kMaxAttenuationSteps = 200'000;

struct Ctx {
  std::size_t steps = 0;
};

Unexpected invalid(std::string why) { return fail(ErrorCode::InvalidAttenuation, std::move(why)); }
Unexpected expands(std::string why) { return fail(ErrorCode::CapabilityExpansion, std::move(why)); }
Unexpected violation(std::string why) { return fail(ErrorCode::ConstraintViolation, std::move(why)); }

bool contains_value(const std::vector<Value>& set, const Value& v) {
  return std::any_of(set.begin(), set.end(), [&](const Value& x) { return x == v; });
}

bool starts_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The parent evaluates the child's Exact value: an evaluation error keeps its own code, a
// refusal gets `code`.
Result<void> parent_accepts(const Constraint& parent, const Value& v, ErrorCode code,
                            std::string_view what) {
  TENUO_TRY_ASSIGN(const Match m, evaluate(parent, v));
  if (!m.ok)
    return fail(code, fmt::format("{} would widen: the parent refuses {} ({})", what, display(v), m.reason));
  return {};
}

// ---------------------------------------------------------------- Pattern

enum class PatternShape : std::uint8_t { Exact, Prefix, Suffix, Complex };

struct Shape {
  PatternShape kind;
  std::string_view text;  // exact text, prefix or suffix
};

Shape classify(std::string_view p) {
  const auto stars = static_cast<std::size_t>(std::count(p.begin(), p.end(), '*'));
  if (stars == 0) return {PatternShape::Exact, p};
  if (stars == 1 && p.back() == '*') return {PatternShape::Prefix, p.substr(0, p.size() - 1)};
  if (stars == 1 && p.front() == '*') return {PatternShape::Suffix, p.substr(1)};
  return {PatternShape::Complex, p};
}

Result<void> pattern_pattern(const c::Pattern& p, const c::Pattern& c) {
  if (p.pattern == c.pattern) return {};
  const Shape ps = classify(p.pattern);
  const Shape cs = classify(c.pattern);
  bool ok = false;
  if (ps.kind == PatternShape::Prefix)
    ok = (cs.kind == PatternShape::Prefix || cs.kind == PatternShape::Exact) && starts_with(cs.text, ps.text);
  else if (ps.kind == PatternShape::Suffix)
    ok = (cs.kind == PatternShape::Suffix || cs.kind == PatternShape::Exact) && ends_with(cs.text, ps.text);
  if (!ok)
    return expands(fmt::format("pattern \"{}\" is not narrower than \"{}\"", c.pattern, p.pattern));
  // Stricter: the texts agreeing is not enough when `[` sets straddle the boundary (parent
  // "*]" vs child "*[!]]"), or when the parent is not a valid glob at all (it refuses
  // everything, so nothing is narrower). Compare the compiled tokens instead.
  auto pg = detail::Glob::compile(p.pattern);
  if (!pg) return expands(fmt::format("parent pattern \"{}\" is not a valid glob", p.pattern));
  auto cg = detail::Glob::compile(c.pattern);
  if (!cg) return {};  // an invalid child glob refuses every value
  const auto& pt = pg->tokens();
  const auto& ct = cg->tokens();
  bool aligned = false;
  if (ps.kind == PatternShape::Prefix) {
    const std::size_t n = pt.size() - 1;  // without the trailing '*'
    aligned = ct.size() >= n && std::equal(pt.begin(), pt.begin() + static_cast<std::ptrdiff_t>(n), ct.begin());
  } else {
    const std::size_t n = pt.size() - 1;  // without the leading '*'
    aligned = ct.size() >= n && std::equal(pt.begin() + 1, pt.end(), ct.end() - static_cast<std::ptrdiff_t>(n));
  }
  if (!aligned)
    return expands(fmt::format("pattern \"{}\" only looks narrower than \"{}\" (character sets differ)",
                               c.pattern, p.pattern));
  return {};
}

// ---------------------------------------------------------------- Range

Result<void> range_range(const c::Range& p, const c::Range& c) {
  // Negated comparisons so that a NaN bound anywhere is refused.
  if (p.min) {
    if (!c.min) return expands(fmt::format("dropping the minimum {} widens the range", *p.min));
    if (!(*c.min >= *p.min))
      return expands(fmt::format("minimum {} is below the parent's {}", *c.min, *p.min));
    if (*c.min == *p.min && !p.min_inclusive && c.min_inclusive)
      return expands(fmt::format("minimum {} becomes inclusive", *c.min));
  }
  if (p.max) {
    if (!c.max) return expands(fmt::format("dropping the maximum {} widens the range", *p.max));
    if (!(*c.max <= *p.max))
      return expands(fmt::format("maximum {} is above the parent's {}", *c.max, *p.max));
    if (*c.max == *p.max && !p.max_inclusive && c.max_inclusive)
      return expands(fmt::format("maximum {} becomes inclusive", *c.max));
  }
  return {};
}

Result<void> range_exact(const Constraint& parent, const Value& v) {
  if (!v.is_number())
    return invalid(fmt::format("a Range cannot narrow to {} ({})", display(v), kind_name(v)));
  TENUO_TRY_ASSIGN(const Match m, evaluate(parent, v));
  if (!m.ok) return violation(fmt::format("exact value {} is outside the parent range ({})", display(v), m.reason));
  return {};
}

// ---------------------------------------------------------------- Cidr

Result<void> cidr_cidr(const c::Cidr& p, const c::Cidr& c) {
  const auto pn = detail::parse_network(p.network);
  if (!pn) return violation(fmt::format("invalid CIDR network \"{}\"", p.network));
  const auto cn = detail::parse_network(c.network);
  if (!cn) return violation(fmt::format("invalid CIDR network \"{}\"", c.network));
  if (!detail::subnet_of(*cn, *pn))
    return expands(fmt::format("network {} is not inside {}", c.network, p.network));
  return {};
}

Result<void> cidr_exact(const c::Cidr& p, const Value& v) {
  const auto pn = detail::parse_network(p.network);
  if (!pn) return violation(fmt::format("invalid CIDR network \"{}\"", p.network));
  if (!v.is_string()) return violation(fmt::format("{} is not an IP address", display(v)));
  const auto ip = detail::parse_ip(v.as_string());
  if (!ip) return violation(fmt::format("{} is not an IP address", display(v)));
  if (!detail::contains(*pn, *ip))
    return expands(fmt::format("address {} is not inside {}", v.as_string(), p.network));
  return {};
}

// ---------------------------------------------------------------- UrlPattern

Result<void> url_pattern_pair(const c::UrlPattern& p, const c::UrlPattern& c) {
  auto pp = detail::parse_url_pattern(p.pattern);
  if (!pp) return violation(pp.error().message);
  auto cp = detail::parse_url_pattern(c.pattern);
  if (!cp) return violation(cp.error().message);
  if (pp->scheme != "*" && cp->scheme != pp->scheme)
    return expands(fmt::format("scheme '{}' is not within '{}'", cp->scheme, pp->scheme));
  const std::string_view ph = pp->host;
  const std::string_view ch = cp->host;
  if (ph != "*") {
    bool ok = false;
    if (starts_with(ph, "*.")) {
      const std::string_view base = ph.substr(2);
      // Child "x", "a.x", "*.x" or "*.a.x" (hosts are lowercase after parsing).
      const std::string_view plain = starts_with(ch, "*.") ? ch.substr(2) : ch;
      ok = plain == base || (plain.size() > base.size() && ends_with(plain, base) &&
                             plain[plain.size() - base.size() - 1] == '.');
      if (starts_with(ch, "*") && !starts_with(ch, "*.")) ok = false;
    } else {
      ok = detail::iequals_ascii(ph, ch);
    }
    if (!ok) return expands(fmt::format("host '{}' is not within '{}'", ch, ph));
  }
  if (pp->port && cp->port != pp->port)
    return expands(fmt::format("port {} is not the parent's {}",
                               cp->port ? std::to_string(*cp->port) : std::string("(any)"), *pp->port));
  if (pp->path) {
    const std::string& parent_path = *pp->path;
    if (!cp->path)
      return expands(fmt::format("dropping the path restriction '{}' widens the pattern", parent_path));
    const std::string& child_path = *cp->path;
    if (parent_path == "*" || parent_path == "/*") return {};
    // Stricter: the parent path must be a valid glob (else it refuses everything).
    if (!detail::Glob::compile(parent_path))
      return expands(fmt::format("parent path '{}' is not a valid glob", parent_path));
    if (parent_path.back() == '*' && std::count(parent_path.begin(), parent_path.end(), '*') == 1) {
      const std::string_view prefix = std::string_view(parent_path).substr(0, parent_path.size() - 1);
      if (starts_with(child_path, prefix)) return {};
      return expands(fmt::format("path '{}' is not under '{}'", child_path, parent_path));
    }
    // Stricter: the reference also accepts child = parent + "/…", but a star-free parent path
    // matches only itself, so that would widen it.
    if (child_path != parent_path)
      return expands(fmt::format("path '{}' is not the parent's '{}'", child_path, parent_path));
  }
  return {};
}

// ---------------------------------------------------------------- Subpath

Result<void> subpath_pair(const c::Subpath& p, const c::Subpath& c) {
  // The child root must be the parent root or below it (under the parent's case rule).
  const auto norm = detail::normalize_subpath(c.root);
  if (!norm) return violation(fmt::format("child root {} is not an absolute path", c.root));
  c::Subpath probe = p;
  probe.allow_equal = true;
  if (!detail::subpath_check(probe, *norm).ok)
    return violation(fmt::format("root {} is outside the parent root {}", c.root, p.root));
  if (p.case_sensitive && !c.case_sensitive)
    return invalid("case-insensitive matching would widen a case-sensitive Subpath");
  if (!p.allow_equal && c.allow_equal)
    return invalid("allow_equal would let the root itself through");
  return {};
}

// ---------------------------------------------------------------- UrlSafe

bool has_scheme(const std::vector<std::string>& list, std::string_view s) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return detail::iequals_ascii(x, s); });
}

Result<void> url_safe_pair(const c::UrlSafe& p, const c::UrlSafe& c) {
  for (const auto& s : c.schemes)
    if (!has_scheme(p.schemes, s)) return invalid(fmt::format("scheme '{}' is not allowed by the parent", s));
  const std::pair<bool, bool> flags[] = {{p.block_private, c.block_private},
                                         {p.block_loopback, c.block_loopback},
                                         {p.block_metadata, c.block_metadata},
                                         {p.block_reserved, c.block_reserved},
                                         {p.block_internal_tlds, c.block_internal_tlds}};
  const char* names[] = {"block_private", "block_loopback", "block_metadata", "block_reserved",
                         "block_internal_tlds"};
  for (std::size_t i = 0; i < 5; ++i)
    if (flags[i].first && !flags[i].second) return invalid(fmt::format("turning off {} widens UrlSafe", names[i]));
  if (p.allow_ports) {
    if (!c.allow_ports) return invalid("dropping allow_ports widens UrlSafe");
    for (auto port : *c.allow_ports)
      if (std::find(p.allow_ports->begin(), p.allow_ports->end(), port) == p.allow_ports->end())
        return invalid(fmt::format("port {} is not allowed by the parent", port));
  }
  if (p.allow_domains) {
    if (!c.allow_domains) return invalid("dropping allow_domains widens UrlSafe");
    for (const auto& d : *c.allow_domains) {
      // Stricter: entries compare case-sensitively (the matcher lowercases both sides).
      const bool ok = std::any_of(p.allow_domains->begin(), p.allow_domains->end(), [&](const std::string& e) {
        if (d == e) return true;
        return starts_with(e, "*.") && ends_with(d, std::string_view(e).substr(1));
      });
      if (!ok) return invalid(fmt::format("allowed domain '{}' is not within the parent's allow_domains", d));
    }
  }
  if (p.deny_domains) {
    if (!c.deny_domains) return invalid("dropping deny_domains widens UrlSafe");
    for (const auto& d : *p.deny_domains) {
      const bool kept = std::any_of(c.deny_domains->begin(), c.deny_domains->end(),
                                    [&](const std::string& e) { return detail::iequals_ascii(d, e); });
      if (!kept) return invalid(fmt::format("denied domain '{}' would be dropped", d));
    }
  }
  return {};
}

// ---------------------------------------------------------------- dispatch

Result<void> att(const Constraint& parent, const Constraint& child, std::size_t level, Ctx& ctx);

// Parent All clause p must be attenuated by some child clause.
bool some_attenuates(const Constraint& p, const std::vector<Constraint>& cs, std::size_t level, Ctx& ctx) {
  return std::any_of(cs.begin(), cs.end(), [&](const Constraint& c) { return att(p, c, level + 1, ctx).has_value(); });
}

Result<void> att(const Constraint& parent, const Constraint& child, std::size_t level, Ctx& ctx) {
  if (level > kMaxConstraintDepth)
    return fail(ErrorCode::TooManyConstraints, fmt::format("constraint nesting deeper than {}", kMaxConstraintDepth));
  if (++ctx.steps > kMaxAttenuationSteps)
    return invalid("the constraints are too complex to compare");  // stricter: bounded work

  if (parent.get_if<c::Wildcard>()) return {};
  if (child.get_if<c::Wildcard>())
    return expands(fmt::format("Wildcard would widen {}", display(parent)));

  const auto* exact = child.get_if<c::Exact>();

  if (const auto* p = parent.get_if<c::Pattern>()) {
    if (const auto* c = child.get_if<c::Pattern>()) return pattern_pattern(*p, *c);
    if (exact) {
      if (!exact->value.is_string())
        return expands(fmt::format("a Pattern cannot narrow to {} ({})", display(exact->value), kind_name(exact->value)));
      return parent_accepts(parent, exact->value, ErrorCode::CapabilityExpansion, "the exact value");
    }
  }
  if (const auto* p = parent.get_if<c::Regex>()) {
    if (const auto* c = child.get_if<c::Regex>()) {
      if (p->pattern == c->pattern) return {};
      return invalid(fmt::format("regex \"{}\" differs from the parent's \"{}\"", c->pattern, p->pattern));
    }
    if (exact) return parent_accepts(parent, exact->value, ErrorCode::InvalidAttenuation, "the exact value");
  }
  if (const auto* p = parent.get_if<c::Exact>()) {
    if (exact) {
      if (exact->value == p->value) return {};
      return invalid(fmt::format("exact value {} differs from the parent's {}", display(exact->value), display(p->value)));
    }
  }
  if (const auto* p = parent.get_if<c::OneOf>()) {
    if (const auto* c = child.get_if<c::OneOf>()) {
      for (const auto& v : c->values)
        if (!contains_value(p->values, v)) return expands(fmt::format("value {} is not in the parent set", display(v)));
      return {};
    }
    if (exact) {
      if (contains_value(p->values, exact->value)) return {};
      return expands(fmt::format("value {} is not in the parent set", display(exact->value)));
    }
    if (child.get_if<c::NotOneOf>()) return invalid("a OneOf cannot become a NotOneOf");
  }
  if (const auto* p = parent.get_if<c::NotOneOf>()) {
    if (const auto* c = child.get_if<c::NotOneOf>()) {
      for (const auto& v : p->excluded)
        if (!contains_value(c->excluded, v)) return expands(fmt::format("excluded value {} would be allowed", display(v)));
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::Range>()) {
    if (const auto* c = child.get_if<c::Range>()) return range_range(*p, *c);
    if (exact) return range_exact(parent, exact->value);
  }
  if (const auto* p = parent.get_if<c::Cidr>()) {
    if (const auto* c = child.get_if<c::Cidr>()) return cidr_cidr(*p, *c);
    if (exact) return cidr_exact(*p, exact->value);
  }
  if (const auto* p = parent.get_if<c::UrlPattern>()) {
    if (const auto* c = child.get_if<c::UrlPattern>()) return url_pattern_pair(*p, *c);
    if (exact) return parent_accepts(parent, exact->value, ErrorCode::CapabilityExpansion, "the exact URL");
  }
  if (const auto* p = parent.get_if<c::Contains>()) {
    if (const auto* c = child.get_if<c::Contains>()) {
      for (const auto& v : p->required)
        if (!contains_value(c->required, v)) return expands(fmt::format("required value {} would be dropped", display(v)));
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::Subset>()) {
    if (const auto* c = child.get_if<c::Subset>()) {
      for (const auto& v : c->allowed)
        if (!contains_value(p->allowed, v)) return invalid(fmt::format("allowed value {} is not in the parent's set", display(v)));
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::All>()) {
    if (p->constraints.empty()) return invalid("an empty All cannot be attenuated");
    if (const auto* c = child.get_if<c::All>()) {
      if (c->constraints.empty()) return invalid("an empty All is not a valid attenuation");
      for (std::size_t i = 0; i < p->constraints.size(); ++i)
        if (!some_attenuates(p->constraints[i], c->constraints, level, ctx))
          return invalid(fmt::format("no child clause narrows parent All clause {} ({})", i + 1, display(p->constraints[i])));
      return {};
    }
    if (exact) {
      for (std::size_t i = 0; i < p->constraints.size(); ++i) {
        auto m = evaluate(p->constraints[i], exact->value);
        if (!m || !m->ok)
          return invalid(fmt::format("parent All clause {} refuses {}", i + 1, display(exact->value)));
      }
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::Any>()) {
    if (const auto* c = child.get_if<c::Any>()) {
      for (std::size_t i = 0; i < c->constraints.size(); ++i) {
        const auto& cc = c->constraints[i];
        const bool ok = std::any_of(p->constraints.begin(), p->constraints.end(),
                                    [&](const Constraint& pc) { return att(pc, cc, level + 1, ctx).has_value(); });
        if (!ok) return invalid(fmt::format("child Any clause {} ({}) narrows no parent clause", i + 1, display(cc)));
      }
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::Not>()) {
    if (const auto* c = child.get_if<c::Not>()) {
      if (!p->constraint || !c->constraint) return invalid("Not without an inner constraint");
      // Not(c) ⊑ Not(p) iff p ⊑ c.
      auto r = att(*c->constraint, *p->constraint, level + 1, ctx);
      if (!r) return invalid(fmt::format("the negated constraint would shrink ({})", r.error().message));
      return {};
    }
  }
  if (const auto* p = parent.get_if<c::Cel>()) {
    if (const auto* c = child.get_if<c::Cel>()) {
      if (cel_attenuates(p->expression, c->expression)) return {};
      return invalid(fmt::format("CEL expression \"{}\" is not \"({})&&(…)\" of the parent", c->expression, p->expression));
    }
  }
  if (const auto* p = parent.get_if<c::Subpath>()) {
    if (const auto* c = child.get_if<c::Subpath>()) return subpath_pair(*p, *c);
    if (exact) return parent_accepts(parent, exact->value, ErrorCode::ConstraintViolation, "the exact path");
  }
  if (const auto* p = parent.get_if<c::UrlSafe>()) {
    if (const auto* c = child.get_if<c::UrlSafe>()) return url_safe_pair(*p, *c);
    if (exact) return parent_accepts(parent, exact->value, ErrorCode::InvalidAttenuation, "the exact URL");
  }
  if (const auto* p = parent.get_if<c::Shlex>()) {
    if (const auto* c = child.get_if<c::Shlex>()) {
      for (const auto& a : c->allow)
        if (std::find(p->allow.begin(), p->allow.end(), a) == p->allow.end())
          return invalid(fmt::format("program '{}' is not allowed by the parent", a));
      return {};
    }
    if (exact) return parent_accepts(parent, exact->value, ErrorCode::InvalidAttenuation, "the exact command");
  }
  return invalid(fmt::format("{} cannot attenuate {}", child.type_name(), parent.type_name()));
}

}  // namespace

Result<void> check_attenuation(const Constraint& parent, const Constraint& child) {
  Ctx ctx;
  return att(parent, child, 0, ctx);
}

Result<void> check_attenuation(const ConstraintSet& parent, const ConstraintSet& child) {
  if (!parent.allow_unknown && child.allow_unknown)
    return invalid("allow_unknown would let unconstrained arguments through");
  for (const auto& [name, pc] : parent.constraints) {
    const Constraint* cc = child.find(name);
    if (!cc) return invalid(fmt::format("argument '{}' lost its constraint", name));
    if (auto r = check_attenuation(pc, *cc); !r) {
      Error e = std::move(r).error();
      e.message = fmt::format("argument '{}': {}", name, e.message);
      return Unexpected{std::move(e)};
    }
  }
  if (!parent.empty()) {
    for (const auto& [name, cc] : child.constraints)
      if (!parent.find(name)) return invalid(fmt::format("argument '{}' is not constrained by the parent", name));
  }
  return {};
}

}  // namespace tenuo
