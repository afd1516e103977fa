#include "faults/network/proxy/http_requests.h"

namespace faultline::proxy {

HttpRequestSplitter::HttpRequestSplitter() {
  http_parser_init(&parser_, HTTP_REQUEST);
  http_parser_settings_init(&settings_);
  settings_.on_message_begin = &HttpRequestSplitter::on_message_begin;
  settings_.on_message_complete = &HttpRequestSplitter::on_message_complete;
  parser_.data = this;
}

int HttpRequestSplitter::on_message_begin(http_parser* parser) {
  static_cast<HttpRequestSplitter*>(parser->data)->began_ = true;
  return 0;
}

// Pauses the parser, so that execute() stops right after the request's last byte.
int HttpRequestSplitter::on_message_complete(http_parser* parser) {
  http_parser_pause(parser, 1);
  return 0;
}

bool HttpRequestSplitter::split(const char* data, size_t size,
                                const std::function<void(size_t, bool, bool)>& segment) {
  if (broken_) return false;
  size_t offset = 0;
  while (offset < size) {
    began_ = false;
    size_t parsed = http_parser_execute(&parser_, &settings_, data + offset, size - offset);
    auto error = HTTP_PARSER_ERRNO(&parser_);
    bool complete = error == HPE_PAUSED;
    if (error != HPE_OK && !complete) {
      broken_ = true;
      // What was already cut up stays cut; the rest goes on as one plain piece.
      segment(size - offset, false, false);
      return false;
    }
    if (complete) http_parser_pause(&parser_, 0);
    if (parsed == 0 && !complete) break;
    bool starts = !in_request_ && (began_ || parsed > 0);
    in_request_ = !complete;
    segment(parsed, starts, complete);
    offset += parsed;
  }
  return true;
}

}  // namespace faultline::proxy
