#include "limen/kube/list_all.h"

#include <utility>

namespace limen::kube {

ApiResult<ObjectList> ListAll(Client& client, const Resource& r, const std::string& ns,
                              const ListOptions& opts) {
  auto first = client.List(r, ns, opts);
  if (!first.ok()) return first;
  ObjectList all = std::move(*first);
  ListOptions next;
  next.label_selector = opts.label_selector;
  next.field_selector = opts.field_selector;
  next.limit = opts.limit;
  next.timeout = opts.timeout;
  while (!all.continue_token.empty()) {
    next.continue_token = all.continue_token;
    auto page = client.List(r, ns, next);
    if (!page.ok()) {
      if (!page.error().IsResourceExpired()) return page.error();
      // The continue token outlived etcd's compaction window: one full list instead.
      ListOptions full = opts;
      full.limit = 0;
      full.continue_token.clear();
      return client.List(r, ns, full);
    }
    for (auto& item : page->items) all.items.push_back(std::move(item));
    all.continue_token = std::move(page->continue_token);
  }
  return all;
}

}  // namespace limen::kube
