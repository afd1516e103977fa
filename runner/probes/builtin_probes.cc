#include <curl/curl.h>

#include <regex>

#include "runner/core/text.h"
#include "runner/probes/probes.h"

namespace faultline {
namespace {

std::string trim_detail(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  text = truncate_text(text, 120);
  return text;
}

Result<std::regex> compile_regex(const Params& params, const std::string& name) {
  try {
    return std::regex(params.text(name), std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    return Error{"invalid regex: " + std::string(error.what()), name};
  }
}

// ---- http -------------------------------------------------------------------------

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t room = body->size() < 65536 ? 65536 - body->size() : 0;
  body->append(data, std::min(room, size * count));
  return size * count;
}

class HttpProbe final : public Probe {
 public:
  HttpProbe(const Params& params, std::optional<std::regex> body_regex)
      : method_(params.text("method")),
        url_(params.text("url")),
        headers_(params.string_map("headers")),
        body_(params.text("body")),
        expect_status_(params.integer("expect_status")),
        body_regex_(std::move(body_regex)),
        timeout_(params.duration("timeout")) {}

  std::string describe() const override { return method_ + " " + url_; }

  // A fresh connection per check: a probe stands for a new client, and a pooled
  // connection would hide a listener that stopped accepting.
  ProbeOutcome check(Target&) const override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {false, "curl_easy_init failed"};
    std::string body;
    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : headers_) {
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_.c_str());
    if (method_ == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!body_.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(header_list);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) return {false, trim_detail(curl_easy_strerror(code))};
    if (status != expect_status_) {
      return {false,
              "status " + std::to_string(status) + ", expected " + std::to_string(expect_status_)};
    }
    if (body_regex_ && !std::regex_search(body, *body_regex_)) {
      return {false, "status " + std::to_string(status) + ", body does not match"};
    }
    return {true, "status " + std::to_string(status)};
  }

 private:
  std::string method_, url_;
  std::map<std::string, std::string> headers_;
  std::string body_;
  int64_t expect_status_;
  std::optional<std::regex> body_regex_;
  Millis timeout_;
};

class HttpProbeType final : public ProbeType {
 public:
  std::string name() const override { return "http"; }
  std::string summary() const override {
    return "HTTP request through libcurl; passes on the expected status (and body match).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"url", ParamKind::string, true, nullptr, "http:// or https:// URL", {}},
        {"method",
         ParamKind::choice,
         false,
         "GET",
         "request method",
         {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}},
        {"headers", ParamKind::string_map, false, nullptr, "request headers", {}},
        {"body", ParamKind::string, false, nullptr, "request body", {}},
        {"expect_status", ParamKind::integer, false, 200, "status that counts as healthy", {}},
        {"expect_body",
         ParamKind::regex,
         false,
         nullptr,
         "regex the body must contain a match for",
         {}},
        {"timeout", ParamKind::duration, false, 1000, "whole-request limit", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    std::string url = params.text("url");
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Error{"url must start with http:// or https://", "url"};
    }
    int64_t status = params.integer("expect_status");
    if (status < 100 || status > 599)
      return Error{"expect_status must be 100-599", "expect_status"};
    if (params.duration("timeout").count() <= 0)
      return Error{"timeout must be positive", "timeout"};
    std::optional<std::regex> body_regex;
    if (params.has("expect_body")) {
      auto compiled = compile_regex(params, "expect_body");
      if (!compiled.ok()) return compiled.error();
      body_regex = std::move(*compiled);
    }
    return std::unique_ptr<Probe>(std::make_unique<HttpProbe>(params, std::move(body_regex)));
  }
};

// ---- tcp --------------------------------------------------------------------------

class TcpProbe final : public Probe {
 public:
  TcpProbe(std::string host, int port, Millis timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}
  std::string describe() const override { return "connect " + host_ + ":" + std::to_string(port_); }
  ProbeOutcome check(Target& target) const override {
    Status connected = target.tcp_connect(host_, port_, timeout_);
    if (!connected) return {false, trim_detail(connected.error().message)};
    return {true, "connected"};
  }

 private:
  std::string host_;
  int port_;
  Millis timeout_;
};

class TcpProbeType final : public ProbeType {
 public:
  std::string name() const override { return "tcp"; }
  std::string summary() const override { return "TCP connect; passes when the connection opens."; }
  const Schema& schema() const override {
    static const Schema schema{{
        {"host", ParamKind::string, false, "127.0.0.1", "host name or address", {}},
        {"port", ParamKind::integer, true, nullptr, "TCP port", {}},
        {"timeout", ParamKind::duration, false, 1000, "connect limit", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    int64_t port = params.integer("port");
    if (port < 1 || port > 65535) return Error{"port must be 1-65535", "port"};
    if (params.duration("timeout").count() <= 0)
      return Error{"timeout must be positive", "timeout"};
    return std::unique_ptr<Probe>(std::make_unique<TcpProbe>(
        params.text("host"), static_cast<int>(port), params.duration("timeout")));
  }
};

// ---- exec -------------------------------------------------------------------------

class ExecProbe final : public Probe {
 public:
  ExecProbe(std::vector<std::string> argv, int64_t expect_exit,
            std::optional<std::regex> stdout_regex, Millis timeout)
      : argv_(std::move(argv)),
        expect_exit_(expect_exit),
        stdout_regex_(std::move(stdout_regex)),
        timeout_(timeout) {}
  std::string describe() const override { return quote_command(argv_); }
  bool cheap_to_overlap() const override { return false; }
  ProbeOutcome check(Target& target) const override {
    auto result = target.run(Command{argv_, "", {}}, timeout_);
    if (!result.ok()) return {false, trim_detail(result.error().message)};
    if (result->timed_out) return {false, "timed out after " + format_duration(timeout_)};
    if (result->term_signal) return {false, "killed by SIG" + signal_name(result->term_signal)};
    if (result->exit_code != expect_exit_) {
      std::string said = result->err.empty() ? result->out : result->err;
      return {false, trim_detail("exit " + std::to_string(result->exit_code) +
                                 (said.empty() ? "" : ": " + said))};
    }
    if (stdout_regex_ && !std::regex_search(result->out, *stdout_regex_)) {
      return {false, "exit " + std::to_string(result->exit_code) + ", stdout does not match"};
    }
    return {true, "exit " + std::to_string(result->exit_code)};
  }

 private:
  std::vector<std::string> argv_;
  int64_t expect_exit_;
  std::optional<std::regex> stdout_regex_;
  Millis timeout_;
};

class ExecProbeType final : public ProbeType {
 public:
  std::string name() const override { return "exec"; }
  std::string summary() const override {
    return "Run a command; passes on the expected exit code (and stdout match).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"command", ParamKind::command, true, nullptr, "argv list, or a string for /bin/sh -c", {}},
        {"expect_exit", ParamKind::integer, false, 0, "exit code that counts as healthy", {}},
        {"expect_stdout",
         ParamKind::regex,
         false,
         nullptr,
         "regex stdout must contain a match for",
         {}},
        {"timeout",
         ParamKind::duration,
         false,
         5000,
         "limit; the process group is killed after it",
         {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    if (params.duration("timeout").count() <= 0)
      return Error{"timeout must be positive", "timeout"};
    std::optional<std::regex> stdout_regex;
    if (params.has("expect_stdout")) {
      auto compiled = compile_regex(params, "expect_stdout");
      if (!compiled.ok()) return compiled.error();
      stdout_regex = std::move(*compiled);
    }
    return std::unique_ptr<Probe>(
        std::make_unique<ExecProbe>(params.strings("command"), params.integer("expect_exit"),
                                    std::move(stdout_regex), params.duration("timeout")));
  }
};

}  // namespace

Status register_builtin_probes(Registry& registry) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<ProbeType> types[] = {std::make_unique<HttpProbeType>(),
                                        std::make_unique<TcpProbeType>(),
                                        std::make_unique<ExecProbeType>()};
  for (auto& type : types) {
    if (Status added = registry.add(std::move(type)); !added) return added;
  }
  return {};
}

}  // namespace faultline
