#pragma once
// For every point, its nearest centre and the distance to it, kept up to
// date as centres are added — the shared core of k-center greedy (coreset)
// and k-means++ seeding (badge).
//
// Adding a centre n must lower d(x) = min over centres of dist(x, c) wherever
// dist(x, n) < d(x). A point owned by centre c cannot get closer to n when
// dist(n, c) ≥ 2·d(x): dist(x, n) ≥ dist(n, c) − d(x) ≥ d(x). Points are
// grouped by owner with an upper bound on their d (the group's radius), so a
// whole group is skipped when dist(n, c) ≥ 2·radius(c), and its points are
// not even read. Exact: the result equals a full scan.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace al::engine::detail {

/// `Distance` is callable as `float(std::int64_t a, std::int64_t b)` on point
/// or centre rows (centres may live in rows past the points).
template <class Distance>
class nearest_centre_tracker {
 public:
  nearest_centre_tracker(std::int64_t points, Distance distance)
      : distance_(std::move(distance)),
        nearest_(static_cast<std::size_t>(points), 0.0f),
        owner_(static_cast<std::size_t>(points), -1) {}

  /// Starts from centres whose owners and distances are already known
  /// (e.g. from one blocked GEMM): `owner[i]` indexes `centre_rows`.
  void start(std::vector<std::int64_t> centre_rows, std::vector<float> nearest,
             std::vector<std::int32_t> owner) {
    centres_ = std::move(centre_rows);
    nearest_ = std::move(nearest);
    owner_ = std::move(owner);
    members_.assign(centres_.size(), {});
    radius_.assign(centres_.size(), 0.0f);
    for (std::size_t i = 0; i < owner_.size(); ++i) {
      const auto k = static_cast<std::size_t>(owner_[i]);
      members_[k].push_back(static_cast<std::int64_t>(i));
      radius_[k] = std::max(radius_[k], nearest_[i]);
    }
  }

  /// Starts from one centre that is itself point `row`: a full scan.
  void start_from_point(std::int64_t row) {
    const auto n = static_cast<std::int64_t>(nearest_.size());
    std::vector<float> nearest(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) nearest[static_cast<std::size_t>(i)] = distance_(i, row);
    start({row}, std::move(nearest), std::vector<std::int32_t>(static_cast<std::size_t>(n), 0));
  }

  /// Adds the centre at `row` (a point row, or a row past the points).
  void add_centre(std::int64_t row) {
    const auto added = static_cast<std::int32_t>(centres_.size());
    centres_.push_back(row);
    members_.emplace_back();
    radius_.push_back(0.0f);
    const auto points = static_cast<std::int64_t>(nearest_.size());
    if (row < points) {  // the centre is a point: it is now at distance 0
      nearest_[static_cast<std::size_t>(row)] = 0.0f;
      owner_[static_cast<std::size_t>(row)] = added;
      members_.back().push_back(row);
    }
    for (std::int32_t k = 0; k < added; ++k) {
      auto& group = members_[static_cast<std::size_t>(k)];
      if (group.empty()) continue;
      const float between = distance_(row, centres_[static_cast<std::size_t>(k)]);
      if (between >= 2.0f * radius_[static_cast<std::size_t>(k)]) continue;  // no member can move
      std::size_t kept = 0;
      float radius = 0.0f;
      for (const auto i : group) {
        const auto ui = static_cast<std::size_t>(i);
        if (owner_[ui] != k) continue;  // moved earlier: drop the stale entry
        if (between < 2.0f * nearest_[ui]) {
          const float d = distance_(i, row);
          if (d < nearest_[ui]) {
            nearest_[ui] = d;
            owner_[ui] = added;
            members_.back().push_back(i);
            continue;
          }
        }
        group[kept++] = i;
        radius = std::max(radius, nearest_[ui]);
      }
      group.resize(kept);
      radius_[static_cast<std::size_t>(k)] = radius;
    }
    float radius = 0.0f;
    for (const auto i : members_.back()) radius = std::max(radius, nearest_[static_cast<std::size_t>(i)]);
    radius_.back() = radius;
  }

  /// Distance of each point to its nearest centre.
  [[nodiscard]] const std::vector<float>& nearest() const { return nearest_; }

 private:
  Distance distance_;
  std::vector<float> nearest_;
  std::vector<std::int32_t> owner_;
  std::vector<std::int64_t> centres_;
  std::vector<std::vector<std::int64_t>> members_;  // may hold stale entries
  std::vector<float> radius_;                        // ≥ every current member's distance
};

/// Squared Euclidean distance and dot product of two float rows of length
/// `d` — the inner loops of both selectors, compiled for several instruction
/// sets (distance_kernels.cpp) and picked at load time for the machine.
float squared_distance(const float* a, const float* b, std::int64_t d);
float dot(const float* a, const float* b, std::int64_t d);

/// For each of `rows` rows of `dots` (row-major, `columns` wide, the dot
/// products of points with centres), the centre minimising
/// ||c||² − 2·x·c, and that minimum: one pass instead of materialising the
/// whole distance block.
void nearest_from_dots(const float* dots, const float* centre_squared_norms, std::int64_t rows,
                       std::int64_t columns, float* minimum, std::int32_t* argmin);

}  // namespace al::engine::detail
