#pragma once
// Set selectors: strategies that choose a whole batch at once (coreset,
// badge). Opt-in engine header (LibTorch).
//
// On the CPU, both keep, for every candidate, its nearest chosen centre and
// the distance to it, and update that when a centre is added — O(N·d)
// memory, never an N×N or N×(K·d) matrix. By the triangle inequality a candidate whose
// nearest centre c satisfies ||new − c|| ≥ 2·d(x, c) cannot get closer to the
// new centre, so whole groups of candidates are skipped without reading them.
// On another device (a GPU run's outputs), they run as plain tensor code
// there instead (see selection_path).

#include <al/engine/selection.hpp>
#include <al/plan.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <string_view>
#include <string>
#include <functional>
#include <vector>

namespace al::engine {

/// Where a set selector runs. `automatic`: inputs on the CPU take the CPU
/// code (pruned scans, heaps, loops over the rows), inputs on any other
/// device tensor code on that device, so a GPU run's outputs are never
/// copied to the host to be selected from. `tensor`: the tensor code on the
/// inputs' device even on the CPU, which is what the tests compare with the
/// CPU code and `set_selection_bench --tensor-path` measures.
enum class selection_path { automatic, tensor };

/// Greedy k-center (Sener & Savarese 2018): starting from `centres` [L, d]
/// (the labelled set's embeddings), picks `count` rows of `candidates` [U, d],
/// each the candidate farthest from its nearest centre, which then becomes a
/// centre. Returns positions in `candidates`, in pick order; ties go to the
/// lower position. Float32. On the CPU, the pruned scan above; on another
/// device (or with selection_path::tensor), blocked distance GEMMs and one
/// min-distance vector on that device, one matrix-vector product and one
/// argmax per pick, the picks copied to the host once at the end.
std::vector<std::int64_t> k_center_greedy(const torch::Tensor& candidates,
                                          const torch::Tensor& centres, std::int64_t count,
                                          selection_path path = selection_path::automatic);

/// BADGE (Ash et al. 2020): k-means++ seeding on gradient embeddings
/// g = (p − e_ŷ) ⊗ h, with ŷ = argmax p. The first centre has the largest
/// ||g||; each next one is sampled with probability ∝ D², the squared
/// distance to the nearest chosen centre, from a generator seeded with
/// `seed`; no candidate is chosen twice. Distances are factorised,
///   ||g_i − g_j||² = ||a_i||²||h_i||² + ||a_j||²||h_j||² − 2 (a_i·a_j)(h_i·h_j),
/// so g is never built. `probs` [U, K], `embedding` [U, d]; positions returned.
/// On another device than the CPU (or with selection_path::tensor) the same
/// seeding runs as tensor code there, its draws from a generator on that
/// device seeded with `seed`: the same seed gives the same picks on one
/// device, but not the CPU code's picks (another random stream).
std::vector<std::int64_t> badge_kmeans_pp(const torch::Tensor& probs,
                                          const torch::Tensor& embedding, std::int64_t count,
                                          std::uint64_t seed,
                                          selection_path path = selection_path::automatic);

/// Distances in gradient-embedding space from candidate `row` to every
/// candidate, by the factorised formula (what badge_kmeans_pp uses). [U].
torch::Tensor gradient_embedding_distances(const torch::Tensor& probs,
                                           const torch::Tensor& embedding, std::int64_t row);

/// k-means (Lloyd) on the rows of `points` [n, d] into `clusters` clusters:
/// k-means++ seeding on a sample of the rows drawn from `seed`, then at most
/// `iterations` rounds of assignment (blocked GEMM: O(block·clusters)
/// memory) and means, stopping when at most one row in 1 000 changes
/// cluster. A cluster left empty keeps its centre. Returns each row's
/// cluster. Float32, CPU.
std::vector<std::int32_t> kmeans_clusters(const torch::Tensor& points, std::int64_t clusters,
                                          std::uint64_t seed, int iterations = 20);

/// TypiClust's typicality of each row of `points` [m, d]: 1 / (mean squared
/// Euclidean distance to its `neighbours` nearest other rows + 1e-5), as the
/// paper's code computes it (its nearest-neighbour search returns squared
/// distances). Blocked: O(block·m) memory, never [m, m] at once. [m].
torch::Tensor typicality(const torch::Tensor& points, std::int64_t neighbours);

/// TypiClust (Hacohen et al. 2022): `count` of the `candidates` [U, d], given
/// the `labelled` samples' embeddings [L, d] (L may be 0). Clusters both
/// into min(L + count, 500, L + U) k-means clusters (kmeans_clusters, from
/// `seed`); orders the clusters by labelled samples (fewest first), then
/// size (largest first), leaving out clusters of 5 or fewer samples when
/// any is larger; then, cluster by cluster in that order (round and round
/// when the query is larger), takes the not yet taken candidate of highest
/// typicality, computed over the cluster's samples (labelled ones
/// included, taken ones left out) with min(20, size / 2) neighbours.
/// Positions in pick order.
std::vector<std::int64_t> typiclust_select(const torch::Tensor& candidates,
                                           const torch::Tensor& labelled, std::int64_t count,
                                           std::uint64_t seed);

/// ProbCover's radius by the purity rule (Yehuda et al. 2022): the rows of
/// `points` [n, d] are clustered by k-means into `classes` clusters (from
/// `seed`); a ball B(x, δ) = {y : ||x − y|| < δ} is pure when every point in
/// it shares x's cluster. Returns the largest δ at which a fraction `purity`
/// of the balls are pure, estimated on up to 1 000 rows drawn from `seed`:
/// each one's distance to the nearest point of another cluster, blocked over
/// the rows (O(sample·block) memory), and the (1 − purity) quantile of them.
double purity_radius(const torch::Tensor& points, std::int64_t classes, double purity,
                     std::uint64_t seed);

/// The δ-neighbourhood graph of the rows of `points` [n, d], every row's
/// neighbours y with ||x − y|| < δ (itself included), as compressed rows:
/// neighbours of row i are `columns[offsets[i] .. offsets[i + 1])`,
/// ascending. Built a block of rows at a time by GEMM (O(block·n) memory);
/// the graph itself takes 4 bytes per edge. More than `most_edges` edges is
/// an error naming δ (a δ that large covers nearly everything at once).
struct neighbourhood_graph {
  std::vector<std::int64_t> offsets;  // [n + 1]
  std::vector<std::int32_t> columns;
};
neighbourhood_graph ball_graph(const torch::Tensor& points, double delta,
                               std::int64_t most_edges = std::int64_t{1} << 30);

/// ProbCover's greedy max coverage: `count` of the `candidates` [U, d] given
/// the `labelled` embeddings [L, d] (L may be 0); δ = `delta` when it is
/// positive, else purity_radius(candidates and labelled, `classes`, 0.95).
/// The labelled samples' balls start covered; each pick is the candidate
/// whose ball holds the most points not yet covered (ties to the lower
/// position), and its ball is then covered. Once no candidate covers
/// anything new, the rest are drawn at random from `seed`. Positions in pick
/// order; `delta_used`, when given, receives δ.
std::vector<std::int64_t> probcover_select(const torch::Tensor& candidates,
                                           const torch::Tensor& labelled, std::int64_t count,
                                           std::int64_t classes, double delta, std::uint64_t seed,
                                           double* delta_used = nullptr);

/// What a selection may use: the scoring pass's outputs for the candidates
/// (row i = candidate i), the labelled set's embeddings (coreset's first
/// centres), and the selection's random stream.
struct selection_inputs {
  const pool_outputs* outputs = nullptr;
  torch::Tensor labelled_embedding;  // [L, d], when the plan needs embeddings
  std::uint64_t seed = 0;
  int cycle = 0;
  /// The labelled set's true classes, counted per class (the oracle's
  /// answers so far): class_balanced's deficits. Empty when not known.
  std::vector<std::int64_t> labelled_class_counts;
  /// [L, d'] the labelled set's encoder embeddings, when the plan needs
  /// need::encoder_embedding (typiclust's and probcover's covered points).
  torch::Tensor labelled_encoder_embedding;
  /// Where coreset, badge, balanced and class_balanced select (see
  /// selection_path); a run leaves it automatic.
  selection_path path = selection_path::automatic;
};

/// Chooses `count` of the candidate `rows` by the strategy `spec` — a
/// per-sample scorer (top-k), a set selector, or a combinator
/// (`prefilter(s, m) >> set`, `mix(a, b, r)`) — and returns the chosen rows
/// in selection order, distinct. `count` larger than `rows` is an error.
/// The word's selector registered under `spec.name` decides; a word with
/// none is a per-sample scorer, and its scores' top-k are taken.
std::vector<std::int64_t> select_rows(const selector_spec& spec, const selection_inputs& inputs,
                                      const std::vector<std::int64_t>& rows, std::int64_t count);

/// The engine side of a set selector or a combinator: `count` of the
/// candidate `rows` (positions into `inputs.outputs`' rows), chosen by the
/// word `spec`, in selection order and distinct; 0 < count <= rows.size()
/// is checked before it is called. A combinator chooses through its nested
/// words with select_rows(spec.inner[i], ...), so any word nests in it.
using selector_function = std::function<std::vector<std::int64_t>(
    const selector_spec& spec, const selection_inputs& inputs,
    const std::vector<std::int64_t>& rows, std::int64_t count)>;

/// Registers the engine side of a set selector or combinator under the name
/// its DSL word declares; the built-in ones (coreset, badge, prefilter, mix,
/// pt4al, balanced, class_balanced, softrank; each in src/strategy/<word>.cpp)
/// go into the same registry. Registering a name twice replaces it.
void register_selector(std::string name, selector_function select);

/// A copy of the selector registered under `name`, or an empty function
/// when there is none (the word is then a per-sample scorer).
selector_function find_selector(std::string_view name);

/// Removes the selector registered under `name`; false when there was none.
bool unregister_selector(std::string_view name);

/// Names of every registered selector, sorted.
std::vector<std::string> registered_selectors();

/// The scores of the per-sample scorer `spec` for the candidate `rows`, [rows].
torch::Tensor score_rows(const selector_spec& spec, const selection_inputs& inputs,
                         const std::vector<std::int64_t>& rows);

/// The per-class ranking of the scorer `spec` for the candidate `rows`,
/// [rows, K]; an undefined tensor when the scorer registered none.
torch::Tensor class_score_rows(const selector_spec& spec, const selection_inputs& inputs,
                               const std::vector<std::int64_t>& rows);

// Balance (src/strategy/balanced.cpp, src/strategy/class_balanced.cpp) --------

/// Per-class quotas of a query of `count` over classes with `available`
/// candidates each: ⌊count/K⌋, one more for the first count mod K classes;
/// what a class cannot fill goes, one at a time in class order, to the
/// classes that still have candidates. Sums to min(count, Σ available).
std::vector<std::int64_t> class_quotas(std::int64_t count,
                                       const std::vector<std::int64_t>& available);

/// `balanced(s)`: the candidates grouped by predicted class (argmax p), each
/// class's quota filled with its top rows by s. When s registered a
/// per-class ranking, class c instead takes, from all candidates not yet
/// taken, its q_c best by column c, classes in turn: `balanced(boundary)` is
/// BASE itself (closest to c's boundary, column c of boundary_distances).
/// On another device than the CPU (or with `inputs.path` tensor) the
/// rankings are computed there (a stable sort per column; per predicted
/// class, ranks within the class from one stable sort), and only the
/// K × min(U, count) leading positions, or the picks, come to the host.
std::vector<std::int64_t> balanced_select(const selector_spec& spec,
                                          const selection_inputs& inputs,
                                          const std::vector<std::int64_t>& rows,
                                          std::int64_t count);

/// CBAL's greedy solver (Bengar et al. 2022): `count` steps, each taking
/// argmin_j [cost_j + λ·||Ω − Pᵀz − p_j||₁] over the rows not yet taken
/// (ties to the lower position), where z marks the taken rows. `cost` [U]
/// (the uncertainty as a cost, −score), `probs` [U, K] (not negative),
/// `deficit` Ω [K], λ ≥ 0. Lazy: every candidate's value only rises as the
/// deficits fill, so a step recomputes only the candidates whose stored value
/// comes first (class_balanced.cpp says why that is exact). O(U·K) once,
/// then O(K) per recomputation; no [U, U] matrix and no float64 copy of
/// `probs`. Positions in pick order. On another device than the CPU (or
/// with selection_path::tensor) the same lazy step runs as float64 tensor
/// code there: a round recomputes the candidates with the smallest stored
/// values together, and the step ends when the best of them is below every
/// other stored value (one small copy to the host per round).
std::vector<std::int64_t> class_balanced_greedy(const torch::Tensor& cost,
                                                const torch::Tensor& probs,
                                                const std::vector<double>& deficit,
                                                double lambda, std::int64_t count,
                                                selection_path path = selection_path::automatic);

/// CBAL's deficits Ω_c = max(0, ⌊(|L| + b)/K⌋ − n_c) from the labelled
/// class counts n_c and the query size b.
std::vector<double> class_deficits(const std::vector<std::int64_t>& labelled_class_counts,
                                   std::int64_t count);

/// `class_balanced(s, λ)`: CBAL with cost_j = −s_j, the deficits from
/// `inputs.labelled_class_counts` and λ = `spec.parameter`.
std::vector<std::int64_t> class_balanced_select(const selector_spec& spec,
                                                const selection_inputs& inputs,
                                                const std::vector<std::int64_t>& rows,
                                                std::int64_t count);

/// PT4AL (Yi et al. 2022) over the candidate `rows`, in round `inputs.cycle`
/// (0: the initial set): round 0 takes an evenly spaced sample of batch 0 in
/// loss order; round k ranks the rows of batch k by the inner scorer
/// (`spec.inner[0]`) and takes the top. When a batch holds fewer rows than
/// asked, the candidates widen to the next batches (then the earlier ones).
std::vector<std::int64_t> pt4al_select(const selector_spec& spec, const selection_inputs& inputs,
                                       const std::vector<std::int64_t>& rows, std::int64_t count);

}  // namespace al::engine
