// The only file that includes libcurl.
#include "pgdrift/util/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>
#include <string_view>

#include "pgdrift/util/error.hpp"

namespace pgdrift::util {

namespace {

constexpr std::size_t k_body_limit = 16 * 1024 * 1024;
constexpr long k_connect_timeout_ms = 10000;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw infra_error("cannot initialize libcurl");
  });
}

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

struct Transfer {
  HttpResponse response;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (transfer->response.body.size() + n > k_body_limit) {
    transfer->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // A status line starts a response (an interim "100 Continue" one is followed by the real one).
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  transfer->response.headers[name] = std::string(value);
  return n;
}

// The URL as error messages show it: without its query or fragment.
std::string shown_url(const std::string& url) { return url.substr(0, url.find_first_of("?#")); }

template <typename T>
void set(CURL* handle, CURLoption option, T value) {
  if (curl_easy_setopt(handle, option, value) != CURLE_OK) {
    throw infra_error("libcurl refused an option (" + std::to_string(static_cast<int>(option)) + ")");
  }
}

class CurlClient final : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    global_init();
    std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
    if (!handle) throw infra_error("cannot create a libcurl handle");
    CURL* h = handle.get();

    std::unique_ptr<curl_slist, ListDeleter> headers;
    auto add_header = [&headers](const std::string& line) {
      // Returns the list's head, the same one after the first append; NULL leaves the list intact.
      curl_slist* head = curl_slist_append(headers.get(), line.c_str());
      if (head == nullptr) throw infra_error("out of memory building an HTTP request");
      (void)headers.release();
      headers.reset(head);
    };
    for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
    add_header("Expect:");  // no "100 Continue" round trip before a body

    Transfer transfer;
    char error_text[CURL_ERROR_SIZE] = {0};
    set(h, CURLOPT_URL, request.url.c_str());
    set(h, CURLOPT_PROTOCOLS_STR, "http,https");
    set(h, CURLOPT_FOLLOWLOCATION, 0L);
    // No signals: pgdrift has threads, and a signal-based DNS timeout would hit any of them.
    set(h, CURLOPT_NOSIGNAL, 1L);
    set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    set(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(k_connect_timeout_ms, static_cast<long>(request.timeout.count())));
    set(h, CURLOPT_HTTPHEADER, headers.get());
    set(h, CURLOPT_ERRORBUFFER, error_text);
    set(h, CURLOPT_WRITEFUNCTION, &on_body);
    set(h, CURLOPT_WRITEDATA, &transfer);
    set(h, CURLOPT_HEADERFUNCTION, &on_header);
    set(h, CURLOPT_HEADERDATA, &transfer);
    if (request.method == "GET") {
      set(h, CURLOPT_HTTPGET, 1L);
    } else {
      if (request.method != "POST") set(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      set(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(h, CURLOPT_POSTFIELDS, request.body.c_str());
    }

    const CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
      std::string reason = transfer.too_large ? "the response is larger than 16 MiB" : curl_easy_strerror(code);
      if (!transfer.too_large && error_text[0] != '\0') reason += std::string(" (") + error_text + ")";
      throw infra_error(request.method + " " + shown_url(request.url) + ": " + reason);
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = status;
    return std::move(transfer.response);
  }
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client() { return std::make_unique<CurlClient>(); }

}  // namespace pgdrift::util
