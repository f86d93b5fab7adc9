// tenuo audit-replay: what would enforcement have done? (CLI.md §2 audit-replay)
// The library (replay.hpp) decides and aggregates; this file maps flags and prints.
#include "cli.hpp"
#include "output.hpp"
#include "render.hpp"

#include <tenuo/replay.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include <unistd.h>

namespace tenuo::cli {
namespace {

struct AuditReplayCmd {
  std::vector<std::string> files;
  std::vector<std::string> roots;
  std::string warrants;
  std::string against;
  std::string at = "event";
  std::string format = "auto";
  bool json = false;
  bool jsonl = false;
  std::string fail_on;  // "" = from TENUO_MODE / default drift
  unsigned threads = 0;
  std::vector<std::string> authorizers;
  int pop_windows = 0;
  std::size_t show = 50;
  bool no_progress = false;
};

std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string where(const ReplaySummary& s, const ReplayResult& r) {
  return fmt::format("{}:{}", r.input < s.inputs.size() ? s.inputs[r.input] : "?", r.line);
}

std::string decision_text(std::optional<AuditDecision> d) {
  if (!d) return "none";
  return *d == AuditDecision::Allow ? "allow" : "deny";
}

std::string code_text(std::optional<ErrorCode> c) {
  return c ? fmt::format("{} {}", static_cast<int>(*c), name(*c)) : std::string("no code");
}

nlohmann::json result_brief(const ReplaySummary& s, const ReplayResult& r) {
  return nlohmann::json::parse(replay_result_json(r, r.input < s.inputs.size() ? s.inputs[r.input] : ""));
}

nlohmann::json summary_json(const ReplaySummary& s, const std::string& at, FailOn fail_on, bool failed) {
  nlohmann::json doc;
  doc["ok"] = true;
  doc["inputs"] = s.inputs;
  doc["at"] = at;
  doc["lines"] = s.lines;
  doc["blank_lines"] = s.blank;
  doc["records"] = s.records();
  nlohmann::json outcomes = nlohmann::json::object();
  for (std::size_t i = 0; i < kReplayOutcomeCount; ++i)
    outcomes[std::string(outcome_name(static_cast<ReplayOutcome>(i)))] = s.outcomes[i];
  doc["outcomes"] = outcomes;
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [k, n] : s.kinds) kinds[std::string(record_kind_name(k))] = n;
  doc["formats"] = kinds;
  nlohmann::json und = nlohmann::json::object();
  for (const auto& [k, n] : s.undecidable) und[std::string(undecidable_name(k))] = n;
  doc["undecidable"] = und;
  nlohmann::json pop = nlohmann::json::object();
  for (const auto& [k, n] : s.pop) pop[std::string(pop_replay_name(k))] = n;
  doc["pop"] = pop;
  nlohmann::json tools = nlohmann::json::object();
  for (const auto& [t, st] : s.by_tool) {
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t i = 0; i < kReplayOutcomeCount; ++i)
      if (st.outcomes[i] != 0) o[std::string(outcome_name(static_cast<ReplayOutcome>(i)))] = st.outcomes[i];
    tools[t] = o;
  }
  doc["by_tool"] = tools;
  nlohmann::json codes = nlohmann::json::array();
  for (const auto& [c, n] : s.by_code)
    codes.push_back({{"code", static_cast<int>(c)}, {"name", std::string(name(c))}, {"count", n}});
  doc["by_code"] = codes;
  nlohmann::json top = nlohmann::json::array();
  for (const auto& p : s.top_denied) top.push_back({{"tool", p.tool}, {"argument", p.argument}, {"count", p.count}});
  doc["top_denied"] = top;
  auto list = [&](const std::vector<ReplayResult>& v, std::uint64_t omitted, const char* key) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : v) a.push_back(result_brief(s, r));
    doc[key] = a;
    doc[std::string(key) + "_omitted"] = omitted;
  };
  list(s.drifts, s.drifts_omitted, "drifts");
  list(s.undecided, s.undecided_omitted, "undecided");
  list(s.malformed, s.malformed_omitted, "malformed");
  nlohmann::json chains = nlohmann::json::array();
  for (const auto& c : s.receipt_chains) {
    nlohmann::json issues = nlohmann::json::array();
    for (const auto& i : c.report.issues) {
      static constexpr const char* kKinds[] = {"malformed", "forged",        "break",     "reordered",
                                               "duplicate", "unknown-signer", "unchained", "empty"};
      nlohmann::json j{{"kind", kKinds[static_cast<int>(i.kind)]},
                       {"severity", i.severity == IssueSeverity::Error ? "error" : "warning"},
                       {"line", i.line},
                       {"message", i.message}};
      if (i.other_line) j["other_line"] = *i.other_line;
      issues.push_back(j);
    }
    chains.push_back({{"file", s.inputs[c.input]},
                      {"receipts", c.report.receipts},
                      {"signers", c.report.signers},
                      {"ok", c.report.ok()},
                      {"issues", issues}});
  }
  doc["receipt_chains"] = chains;
  doc["chains_decoded"] = s.chains_decoded;
  static constexpr const char* kFail[] = {"deny", "drift", "any", "none"};
  doc["fail_on"] = kFail[static_cast<int>(fail_on)];
  doc["failed"] = failed;
  return doc;
}

std::string human_summary(const ReplaySummary& s, const std::string& at_text, FailOn fail_on, bool failed,
                          std::size_t show) {
  std::string out;
  auto line = [&](const std::string& l) {
    out += l;
    out += '\n';
  };
  line(fmt::format("audit-replay: {} record(s) from {} input(s), re-decided under enforce mode {}",
                   thousands(s.records()), s.inputs.size(), at_text));
  line("");
  auto count = [&](ReplayOutcome o) { return s.outcomes[static_cast<std::size_t>(o)]; };
  // Columns are sized by display width (tool names and arguments may be any Unicode); the
  // historical widths are the minimum, so short reports look as they always did.
  auto row = [&](std::string_view label, std::size_t label_w, std::uint64_t n, std::size_t num_w) {
    return pad_right(label, label_w) + pad_left(thousands(n), num_w);
  };
  line(fmt::format("  {}{}", pad_right("outcome", 24), pad_left("records", 12)));
  line("  " + row("consistent allow", 24, count(ReplayOutcome::ConsistentAllow), 12));
  line("  " + row("consistent deny", 24, count(ReplayOutcome::ConsistentDeny), 12));
  line("  " + row("drift allow -> deny", 24, count(ReplayOutcome::DriftAllowToDeny), 12));
  line("  " + row("drift deny -> allow", 24, count(ReplayOutcome::DriftDenyToAllow), 12));
  line("  " + row("undecidable", 24, count(ReplayOutcome::Undecidable), 12));
  for (const auto& [k, n] : s.undecidable) line("    " + row(undecidable_name(k), 22, n, 12));
  line("  " + row("malformed lines", 24, count(ReplayOutcome::Malformed), 12));

  if (!s.by_tool.empty()) {
    line("");
    std::size_t wt = 24;
    for (const auto& [t, st] : s.by_tool) wt = std::max(wt, display_width(t) + 2);
    line(fmt::format("  {}{}{}{}{}{}", pad_right("tool", wt), pad_left("allow", 10), pad_left("deny", 10),
                     pad_left("drift+", 10), pad_left("drift-", 10), pad_left("undecidable", 12)));
    for (const auto& [t, st] : s.by_tool) {
      auto c = [&](ReplayOutcome o, std::size_t w) { return pad_left(thousands(st.outcomes[static_cast<std::size_t>(o)]), w); };
      line(fmt::format("  {}{}{}{}{}{}", pad_right(t, wt), c(ReplayOutcome::ConsistentAllow, 10),
                       c(ReplayOutcome::ConsistentDeny, 10), c(ReplayOutcome::DriftAllowToDeny, 10),
                       c(ReplayOutcome::DriftDenyToAllow, 10), c(ReplayOutcome::Undecidable, 12)));
    }
    line("  (drift+ = recorded allow, replay deny; drift- = recorded deny, replay allow)");
  }
  if (!s.by_code.empty()) {
    line("");
    line("  replay denials by code");
    std::vector<std::string> labels;
    std::size_t wl = 34;
    for (const auto& [c, n] : s.by_code) {
      labels.push_back(fmt::format("{} {}", static_cast<int>(c), name(c)));
      wl = std::max(wl, display_width(labels.back()) + 2);
    }
    std::size_t i = 0;
    for (const auto& [c, n] : s.by_code) line("    " + row(labels[i++], wl, n, 10));
  }
  if (!s.top_denied.empty()) {
    line("");
    line("  top denied tool / argument");
    std::vector<std::string> labels;
    std::size_t wl = 34;
    for (const auto& p : s.top_denied) {
      labels.push_back(fmt::format("{} / {}", p.tool.empty() ? "(none)" : p.tool, p.argument.empty() ? "-" : p.argument));
      wl = std::max(wl, display_width(labels.back()) + 2);
    }
    for (std::size_t i = 0; i < s.top_denied.size(); ++i) line("    " + row(labels[i], wl, s.top_denied[i].count, 10));
  }
  auto shown = [&](std::size_t n) { return std::min(n, show); };
  if (!s.drifts.empty()) {
    line("");
    line(fmt::format("drifts ({})", thousands(s.drift_count())));
    for (std::size_t i = 0; i < shown(s.drifts.size()); ++i) {
      const auto& r = s.drifts[i];
      line(fmt::format("  {}  {}  recorded {} -> replay {}{}", where(s, r), r.tool.empty() ? "(warrant)" : r.tool,
                       decision_text(r.recorded), decision_text(r.replayed),
                       r.replay_code ? fmt::format(" [{}]", code_text(r.replay_code)) : std::string()));
      if (!r.reason.empty()) line(fmt::format("      why: {}", r.reason));
      if (!r.fix.empty()) line(fmt::format("      fix: {}", r.fix));
    }
    const std::uint64_t more = s.drift_count() - shown(s.drifts.size());
    if (more > 0) line(fmt::format("  … and {} more (use --jsonl for every record)", thousands(more)));
  }
  if (!s.undecided.empty()) {
    line("");
    line(fmt::format("undecidable ({})", thousands(count(ReplayOutcome::Undecidable))));
    for (std::size_t i = 0; i < shown(s.undecided.size()); ++i) {
      const auto& r = s.undecided[i];
      line(fmt::format("  {}  {}: {}", where(s, r), undecidable_name(r.undecidable), r.reason));
    }
    const std::uint64_t more = count(ReplayOutcome::Undecidable) - shown(s.undecided.size());
    if (more > 0) line(fmt::format("  … and {} more", thousands(more)));
  }
  if (!s.malformed.empty()) {
    line("");
    line(fmt::format("malformed lines ({})", thousands(count(ReplayOutcome::Malformed))));
    for (std::size_t i = 0; i < shown(s.malformed.size()); ++i)
      line(fmt::format("  {}: {}", where(s, s.malformed[i]), s.malformed[i].reason));
    const std::uint64_t more = count(ReplayOutcome::Malformed) - shown(s.malformed.size());
    if (more > 0) line(fmt::format("  … and {} more", thousands(more)));
  }
  if (!s.receipt_chains.empty()) {
    line("");
    line("receipt chains");
    for (const auto& c : s.receipt_chains) {
      line(fmt::format("  {}: {} receipt(s), {} signer(s): {}", s.inputs[c.input], thousands(c.report.receipts),
                       c.report.signers,
                       c.report.ok() ? std::string("intact") : paint(Stream::Out, Style::StrongBad, "BROKEN OR FORGED")));
      for (const auto& i : c.report.issues) {
        static constexpr const char* kKinds[] = {"malformed", "FORGED",        "BREAK (receipt removed)", "REORDERED",
                                                 "DUPLICATE", "unknown signer", "unchained",               "empty"};
        line(fmt::format("    line {}: {}{}: {}", i.line, i.severity == IssueSeverity::Error ? "" : "warning: ",
                         kKinds[static_cast<int>(i.kind)], i.message));
      }
    }
  }
  line("");
  static constexpr const char* kFail[] = {"deny", "drift", "any", "none"};
  line(fmt::format("result: {} drift(s), {} replay denial(s), {} undecidable, {} malformed{} -> exit {} (--fail-on {})",
                   thousands(s.drift_count()), thousands(s.replay_denies()),
                   thousands(count(ReplayOutcome::Undecidable)), thousands(count(ReplayOutcome::Malformed)),
                   s.receipt_chains_ok() ? "" : ", receipt chain problems", failed ? 1 : 0,
                   kFail[static_cast<int>(fail_on)]));
  return out;
}

// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  void update(const ReplayProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(100)) return;
    m_last = now;
    const double secs = std::chrono::duration<double>(now - m_start).count();
    const double rate = secs > 0 ? static_cast<double>(p.records) / secs : 0;
    std::string bar;
    if (p.total_bytes > 0) {
      const double f = std::min(1.0, static_cast<double>(p.bytes) / static_cast<double>(p.total_bytes));
      const int filled = static_cast<int>(f * 30);
      bar = fmt::format("[{}{}] {:3}% ", std::string(static_cast<std::size_t>(filled), '#'),
                        std::string(static_cast<std::size_t>(30 - filled), ' '), static_cast<int>(f * 100));
    }
    std::fputs(fmt::format("\r{}{} records, {:.0f}/s\033[K", bar, thousands(p.records), rate).c_str(), stderr);
    m_drawn = true;
  }
  ~ProgressBar() {
    if (m_drawn) std::fputs("\r\033[K", stderr);
  }

 private:
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last{};
  bool m_drawn = false;
};

Result<int> run_audit_replay(const AuditReplayCmd& o) {
  if (o.json && o.jsonl) return fail(ErrorCode::InvalidInput, "--json and --jsonl are exclusive");
  ReplayOptions opts;
  TENUO_TRY_ASSIGN(opts.roots.keys, load_trusted_roots(o.roots));

  const auto fmt_opt = parse_replay_format(o.format);
  if (!fmt_opt) return fail(ErrorCode::InvalidInput, "--format must be auto, tenuo, sdk or receipts");
  opts.format = *fmt_opt;

  // Exit policy: --fail-on, else TENUO_MODE audit/permissive report without failing, else drift.
  FailOn fail_on = FailOn::Drift;
  if (!o.fail_on.empty()) {
    const auto f = parse_fail_on(o.fail_on);
    if (!f) return fail(ErrorCode::InvalidInput, "--fail-on must be deny, drift, any or none");
    fail_on = *f;
  } else if (const char* m = std::getenv("TENUO_MODE"); m != nullptr && *m) {
    const auto mode = parse_mode(m);
    if (!mode) return fail(ErrorCode::InvalidInput, fmt::format("TENUO_MODE must be enforce, audit or permissive, not '{}'", m));
    if (*mode != EnforcementMode::Enforce) {
      fail_on = FailOn::None;
      info(fmt::format("tenuo: TENUO_MODE={}: findings are reported but do not fail (exit 0)\n", m));
    }
  }

  std::string at_text = "as of each record's own time";
  std::string at_json = "event";
  if (o.at != "event") {
    std::int64_t t = 0;
    if (o.at == "now") {
      TENUO_TRY_ASSIGN(t, resolve_now(""));
    } else {
      TENUO_TRY_ASSIGN(t, parse_time(o.at));
    }
    opts.at = t;
    at_text = fmt::format("as of {}", rfc3339_utc(t));
    at_json = rfc3339_utc(t);
  }

  std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  if (std::find(files.begin(), files.end(), "-") != files.end() && isatty(STDIN_FILENO) != 0)
    info("tenuo: reading audit records from standard input (end with Ctrl-D)\n");
  if (!o.against.empty()) {
    if ((o.against == "-" ) && std::find(files.begin(), files.end(), "-") != files.end())
      return fail(ErrorCode::InvalidInput, "--against - and a log on standard input cannot both use stdin");
    TENUO_TRY_ASSIGN(auto chain, load_warrants(o.against));
    at_text += fmt::format(", against candidate {} (PoP not re-checked)", chain.back().id_text());
    opts.against = std::move(chain);
  }
  if (!o.warrants.empty()) {
    auto index = std::make_shared<WarrantIndex>();
    TENUO_TRY_ASSIGN(std::size_t n, index->load(o.warrants));
    (void)n;
    for (const auto& w : index->warnings())
      info(fmt::format("{} {}\n", paint(Stream::Err, Style::StrongWarn, "tenuo: warning:"), w));
    opts.warrants = std::move(index);
  }
  for (const auto& a : o.authorizers) {
    TENUO_TRY_ASSIGN(PublicKey k, load_public_key(a));
    opts.receipt_signers.push_back(k);
  }
  int windows = o.pop_windows;
  if (windows == 0) {
    windows = kPopDefaultMaxWindows;
    if (const char* w = std::getenv("TENUO_POP_MAX_WINDOWS"); w != nullptr && *w) windows = std::atoi(w);
  }
  if (windows < kPopMinWindows || windows > kPopMaxWindows)
    return fail(ErrorCode::InvalidInput, fmt::format("PoP windows must be {}..{}", kPopMinWindows, kPopMaxWindows));
  opts.pop_windows = windows;
  opts.threads = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  opts.max_listed = std::max<std::size_t>(o.show, 1);

  std::unique_ptr<ProgressBar> bar;
  // Shared rule (output.hpp): stderr is a terminal and there is no --quiet.
  if (!o.no_progress && progress_enabled()) {
    bar = std::make_unique<ProgressBar>();
    opts.progress = [b = bar.get()](const ReplayProgress& p) { b->update(p); };
  }

  TENUO_TRY_ASSIGN(Replayer replayer, Replayer::create(std::move(opts)));
  std::function<void(const ReplayResult&)> on_result;
  if (o.jsonl)
    on_result = [&files](const ReplayResult& r) {
      std::string line = replay_result_json(r, files[r.input]);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    };
  TENUO_TRY_ASSIGN(ReplaySummary summary, replayer.run(files, on_result));
  bar.reset();

  const bool failed = summary.fails(fail_on);
  if (o.json || o.jsonl) {
    nlohmann::json doc = summary_json(summary, at_json, fail_on, failed);
    if (o.jsonl) {
      doc["type"] = "summary";
      std::string s = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      s += '\n';
      std::fwrite(s.data(), 1, s.size(), stdout);
    } else {
      print_json(doc);
    }
  } else {
    // Tool names and reasons come from the logs: terminal_safe keeps them from driving the terminal.
    const std::string text = terminal_safe(human_summary(summary, at_text, fail_on, failed, o.show));
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!summary.receipt_chains_ok())
    std::fputs(fmt::format("{} receipts were removed, reordered, duplicated or forged (see report)\n",
                           paint(Stream::Err, Style::StrongBad, "tenuo: RECEIPT CHAIN PROBLEMS:"))
                   .c_str(),
               stderr);
  std::fflush(stdout);
  return failed ? kExitDenied : kExitOk;
}

}  // namespace

void add_audit_replay(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<AuditReplayCmd>();
  auto* sub = app.add_subcommand("audit-replay", "Re-decide recorded calls under enforce mode: what would enforcement have done?");
  sub->add_option("files", o->files, "Audit logs, SDK audit events or receipt JSONL files; - = stdin (default)");
  sub->add_option("--trusted-root,-r", o->roots, "Trusted root public key (repeatable; default $TENUO_TRUSTED_ROOTS)");
  sub->add_option("--warrants", o->warrants, "Warrants for records that name only a warrant id: a FILE or a DIR");
  sub->add_option("--against", o->against, "Candidate warrant or chain replacing every recorded chain (PoP skipped)");
  sub->add_option("--at", o->at, "Evaluation instant: event (default), now ($TENUO_NOW honoured), or a TIME");
  sub->add_option("--format", o->format, "Input format: auto (per line, default), tenuo, sdk, receipts")
      ->check(CLI::IsMember({"auto", "tenuo", "sdk", "receipts"}));
  auto* json = sub->add_flag("--json", o->json, "One JSON document with the summary");
  sub->add_flag("--jsonl", o->jsonl, "One JSON line per record (file, line, outcome), then a summary line")
      ->excludes(json);
  sub->add_option("--fail-on", o->fail_on, "Exit 1 on: deny, drift (default), any, none")
      ->check(CLI::IsMember({"deny", "drift", "any", "none"}));
  sub->add_option("--threads", o->threads, "Worker threads (default: the number of cores)");
  sub->add_option("--authorizer", o->authorizers, "Allowed receipt signer public key (repeatable; default any)");
  sub->add_option("--pop-windows", o->pop_windows, "PoP windows accepted, 2-10 (default $TENUO_POP_MAX_WINDOWS or 5)")
      ->check(CLI::Range(kPopMinWindows, kPopMaxWindows));
  sub->add_option("--show", o->show, "Drifts, undecidable and malformed records listed in the summary (default 50)");
  sub->add_flag("--no-progress", o->no_progress, "No progress bar, even on a terminal");
  sub->callback([o, &pending] {
    pending.json = o->json || o->jsonl;
    pending.run = [o] { return run_audit_replay(*o); };
  });
}

}  // namespace tenuo::cli
