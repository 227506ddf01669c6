#include <algorithm>

#include "model_core_impl.hpp"
#include "streams.hpp"

namespace cohort::models::gene_network::detail {

using engine::AgentId;

template <class T>
void Core<T>::generation(engine::World& world, std::uint64_t step) {
  const ExpressionPlan<T> plan = expression_plan(step);
  const std::span<T> fitness = pop_->column(fitness_);
  const std::size_t slab_stride = layout_.slab_size();
  layout_.run(world, [&](std::size_t task, std::size_t thread) {
    Scratch<T>& s = scratch_[thread];
    moments_.clear(task);
    layout_.for_each_slab(task, [&](const Slab& slab) {
      express_slab(slab, plan, fitness, s);
      mutate_slab(s.levels.data(), slab_stride, slab, step, nullptr, s);
      measure_slab(task, s.levels.data(), slab_stride, slab, s);
      store_slab(s.levels.data(), slab);
    });
  });
  moments_step_ = step + 1;
}

// With selection, steps 1-3: the new levels replace the old (x := e) and fitness is recorded.
template <class T>
void Core<T>::express_all(engine::World& world, std::uint64_t step) {
  const ExpressionPlan<T> plan = expression_plan(step);
  const std::span<T> fitness = pop_->column(fitness_);
  layout_.run(world, [&](std::size_t task, std::size_t thread) {
    Scratch<T>& s = scratch_[thread];
    layout_.for_each_slab(task, [&](const Slab& slab) {
      express_slab(slab, plan, fitness, s);
      store_slab(s.levels.data(), slab);
    });
  });
}

// With selection, steps 4-5: elites keep their slots unchanged; every other slot receives an
// offspring of parents drawn from the whole generation, then mutates. The offspring are written to
// a second matrix that then becomes the population (no agents are destroyed or created: slot i
// keeps agent id i, and its random streams, across generations).
template <class T>
void Core<T>::reproduce(engine::World& world, std::uint64_t step) {
  const std::span<const T> fitness = pop_->column(fitness_);
  fitness_values_.assign(fitness.begin(), fitness.end());
  sampler_.prepare(fitness_values_);
  std::ranges::fill(elite_, 0);
  for (const std::uint32_t row : fittest_rows(fitness_values_, s_.selection.elitism))
    elite_[row] = 1;
  layout_.run(world, [&](std::size_t task, std::size_t thread) {
    Scratch<T>& s = scratch_[thread];
    moments_.clear(task);
    layout_.for_each_slab(task, [&](const Slab& slab) {
      choose_parents(slab, step, s);
      gather_offspring(slab, s);
      T* levels = offspring_.row(0) + slab.first;
      mutate_slab(levels, offspring_.stride(), slab, step, elite_.data() + slab.first, s);
      measure_slab(task, levels, offspring_.stride(), slab, s);
    });
  });
  genome_.swap(offspring_);
  moments_step_ = step + 1;
}

template <class T>
void Core<T>::measure_all(engine::World& world) {
  layout_.run(world, [&](std::size_t task, std::size_t thread) {
    Scratch<T>& s = scratch_[thread];
    moments_.clear(task);
    layout_.for_each_slab(task, [&](const Slab& slab) {
      measure_slab(task, genome_.row(0) + slab.first, genome_.stride(), slab, s);
    });
  });
  moments_step_ = world.step();
}

template <class T>
void Core<T>::express_slab(const Slab& slab, const ExpressionPlan<T>& plan, std::span<T> fitness,
                           Scratch<T>& s) const {
  const std::size_t stride = layout_.slab_size();
  express(plan, genome_.row(0) + slab.first, genome_.stride(), s.levels.data(), stride, slab.width);
  gene_network::fitness(fitness_plan_, s.levels.data(), stride, slab.width, s.fitness_rows.data(),
                        s.fitness.data());
  std::copy_n(s.fitness.data(), slab.count, fitness.begin() + slab.first);
}

template <class T>
void Core<T>::mutate_slab(T* levels, std::size_t stride, const Slab& slab, std::uint64_t step,
                          const std::uint8_t* elite, Scratch<T>& s) const {
  if (!mutation_.active()) return;
  const StreamFamily where = family(step, streams::kMutation);
  const StreamFamily how_much = family(step, streams::kMutationSize);
  const std::span<const engine::Uid> ids = ids_of(slab);
  const unsigned a = where_blocks_, b = how_much_blocks_;
  std::uint32_t* where_words = s.words.data();
  std::uint32_t* how_much_words = where_words + slab.count * a * 4;
  philox_prefix(where, ids, a, where_words);
  philox_prefix(how_much, ids, b, how_much_words);
  for (std::size_t c = 0; c < slab.count; ++c) {
    if (elite != nullptr && elite[c] != 0) continue;
    StreamWords w(where, ids[c], where_words + c * a * 4, a, s.spill[0]);
    StreamWords h(how_much, ids[c], how_much_words + c * b * 4, b, s.spill[1]);
    mutation_.apply(levels + c, stride, w, h);
  }
}

template <class T>
void Core<T>::choose_parents(const Slab& slab, std::uint64_t step, Scratch<T>& s) const {
  const std::span<const engine::Uid> ids = ids_of(slab);
  const std::size_t stride = layout_.slab_size();
  for (std::size_t c = 0; c < slab.count; ++c) {
    const auto slot = static_cast<std::uint32_t>(slab.first + c);
    if (elite_[slot] != 0) {
      s.parent[c] = s.second_parent[c] = slot;
      if (s_.selection.sexual)
        for (std::uint32_t g = 0; g < s_.genes; ++g)
          s.from_second[g * stride + c] = 0;
      continue;
    }
    engine::RandomStream rng(seed_, ids[c], step, streams::kSelection);
    s.parent[c] = sampler_.draw(rng);
    if (!s_.selection.sexual) continue;
    s.second_parent[c] = sampler_.draw(rng);
    engine::RandomStream loci(seed_, ids[c], step, streams::kCrossover);
    ByteSource<engine::RandomStream> bytes(loci);
    for (std::uint32_t g = 0; g < s_.genes; ++g)
      s.from_second[g * stride + c] = crossover_(bytes) ? 1 : 0;
  }
}

template <class T>
void Core<T>::gather_offspring(const Slab& slab, const Scratch<T>& s) {
  const std::size_t stride = layout_.slab_size();
  for (std::uint32_t g = 0; g < s_.genes; ++g) {
    const T* from = genome_.row(g);
    T* to = offspring_.row(g) + slab.first;
    if (!s_.selection.sexual) {
      for (std::size_t c = 0; c < slab.count; ++c)
        to[c] = from[s.parent[c]];
      continue;
    }
    const std::uint8_t* second = s.from_second.data() + g * stride;
    for (std::size_t c = 0; c < slab.count; ++c)
      to[c] = from[second[c] != 0 ? s.second_parent[c] : s.parent[c]];
  }
}

template <class T>
void Core<T>::measure_slab(std::size_t task, const T* levels, std::size_t stride, const Slab& slab,
                           Scratch<T>& s) {
  gene_moments(levels, stride, s_.genes, slab.count, s.moments.data());
  moments_.add(task, s.moments.data(), slab.count);
}

template <class T>
void Core<T>::store_slab(const T* levels, const Slab& slab) {
  const std::size_t stride = layout_.slab_size();
  for (std::uint32_t g = 0; g < s_.genes; ++g)
    std::copy_n(levels + g * stride, slab.count, genome_.row(g) + slab.first);
}

// The steps are members of Core, whose other members (and the class) model_core.cpp instantiates.
template void Core<float>::generation(engine::World&, std::uint64_t);
template void Core<double>::generation(engine::World&, std::uint64_t);
template void Core<float>::express_all(engine::World&, std::uint64_t);
template void Core<double>::express_all(engine::World&, std::uint64_t);
template void Core<float>::reproduce(engine::World&, std::uint64_t);
template void Core<double>::reproduce(engine::World&, std::uint64_t);
template void Core<float>::measure_all(engine::World&);
template void Core<double>::measure_all(engine::World&);

}  // namespace cohort::models::gene_network::detail
