#include "runner/probes/http/http_probe.h"

#include <optional>

#include "runner/core/pattern.h"
#include "runner/os/http_client.h"
#include "runner/probes/probes.h"

namespace faultline {
namespace {

class HttpProbe final : public Probe {
 public:
  HttpProbe(const Params& params, Endpoint endpoint, std::optional<Pattern> body_pattern)
      : request_{params.text("method"), params.text("url"), params.string_map("headers"),
                 params.text("body"), params.duration("timeout")},
        expect_status_(params.integer("expect_status")),
        endpoint_(std::move(endpoint)),
        body_pattern_(std::move(body_pattern)) {}

  std::string describe() const override { return request_.method + " " + request_.url; }
  std::optional<Endpoint> endpoint() const override { return endpoint_; }

  ProbeOutcome check(Target& target) const override {
    auto response = target.http(request_);
    if (!response.ok()) return {false, probe_detail(response.error().message)};
    std::string status = "status " + std::to_string(response->status);
    if (response->status != expect_status_) {
      return {false, status + ", expected " + std::to_string(expect_status_)};
    }
    if (body_pattern_ && !body_pattern_->found_in(response->body)) {
      return {false, status + ", body does not match"};
    }
    return {true, status};
  }

 private:
  HttpRequest request_;
  int64_t expect_status_;
  Endpoint endpoint_;
  std::optional<Pattern> body_pattern_;
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
         "regex (RE2) the body must contain a match for",
         {}},
        {"timeout", ParamKind::duration, false, 1000, "whole-request limit", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    auto endpoint = http_url_endpoint(params.text("url"));
    if (!endpoint.ok()) return Error{endpoint.error().message, "url"};
    int64_t status = params.integer("expect_status");
    if (status < 100 || status > 599) {
      return Error{ErrorCode::invalid, "expect_status must be 100-599", "expect_status"};
    }
    if (params.duration("timeout").count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    auto body_pattern = optional_pattern(params, "expect_body");
    if (!body_pattern.ok()) return body_pattern.error();
    return std::unique_ptr<Probe>(
        std::make_unique<HttpProbe>(params, std::move(*endpoint), std::move(*body_pattern)));
  }
};

}  // namespace

std::unique_ptr<ProbeType> make_http_probe_type() { return std::make_unique<HttpProbeType>(); }

}  // namespace faultline
