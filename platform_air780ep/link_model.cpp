#include "platform_air780ep/link_model.hpp"

#include <algorithm>
#include <cmath>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

LinkModel::LinkModel(const LinkSettings& settings) : settings_(settings), rng_(settings.seed) {}

void LinkModel::configure(const LinkSettings& settings) {
    if (settings.seed != settings_.seed) rng_.seed(settings.seed);
    settings_ = settings;
}

LinkFate LinkModel::submit(LinkDirection dir, std::vector<std::uint8_t> frame, std::uint64_t now_us,
                           bool impaired) {
    Pipe& p = pipe(dir);
    ++p.counters.frames;
    if (!up_) {
        ++p.counters.down;
        return LinkFate::kDown;
    }
    std::uint64_t due = now_us;
    if (impaired) {
        const DirectionSettings& s = dir == LinkDirection::kUp ? settings_.up : settings_.down;
        // Draw both numbers for every frame so that one seed gives one sequence of fates whatever
        // the figures are.
        const double loss_draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
        const double jitter_draw = std::uniform_real_distribution<double>(-1.0, 1.0)(rng_);
        if (loss_draw < s.loss) {
            ++p.counters.lost;
            return LinkFate::kLost;
        }
        std::uint64_t sent = now_us;  // when the last bit leaves the bottleneck
        if (s.rate_bps > 0) {
            // The air interface carries IP packets, not our Ethernet framing.
            const std::size_t bytes =
                frame.size() > kEthHeaderLen ? frame.size() - kEthHeaderLen : frame.size();
            const std::uint64_t start = std::max(now_us, p.busy_until_us);
            const double backlog_bytes =
                static_cast<double>(start - now_us) * static_cast<double>(s.rate_bps) / 8e6;
            if (backlog_bytes + static_cast<double>(bytes) > static_cast<double>(s.queue_bytes)) {
                ++p.counters.queue_full;
                return LinkFate::kQueueFull;
            }
            const auto tx_us = static_cast<std::uint64_t>(
                std::ceil(static_cast<double>(bytes) * 8e6 / static_cast<double>(s.rate_bps)));
            p.busy_until_us = start + tx_us;
            sent = p.busy_until_us;
        }
        const double delay_ms = std::max(0.0, s.delay_ms + s.jitter_ms * jitter_draw);
        due = sent + static_cast<std::uint64_t>(std::llround(delay_ms * 1000.0));
    }
    due = std::max(due, p.last_due_us);  // in order
    p.last_due_us = due;
    p.frames.push_back(Pending{due, std::move(frame)});
    return LinkFate::kQueued;
}

std::optional<std::vector<std::uint8_t>> LinkModel::take_due(LinkDirection dir, std::uint64_t now_us) {
    Pipe& p = pipe(dir);
    if (p.frames.empty() || p.frames.front().due_us > now_us) return std::nullopt;
    std::vector<std::uint8_t> frame = std::move(p.frames.front().frame);
    p.frames.pop_front();
    ++p.counters.delivered;
    p.counters.bytes_delivered += frame.size();
    return frame;
}

void LinkModel::drop_in_flight(Pipe& p) {
    p.counters.down += p.frames.size();
    p.frames.clear();
    p.busy_until_us = 0;
}

void LinkModel::set_down(std::optional<std::uint64_t> until_us) {
    outage_end_us_ = until_us;
    if (!up_) return;
    up_ = false;
    drop_in_flight(up_pipe_);
    drop_in_flight(down_pipe_);
    changes_.push_back(false);
}

void LinkModel::set_up() {
    outage_end_us_.reset();
    if (up_) return;
    up_ = true;
    changes_.push_back(true);
}

void LinkModel::advance(std::uint64_t now_us) {
    if (!up_ && outage_end_us_ && *outage_end_us_ <= now_us) set_up();
}

std::vector<bool> LinkModel::take_state_changes() {
    return std::exchange(changes_, {});
}

std::optional<std::uint64_t> LinkModel::next_event_us() const {
    std::optional<std::uint64_t> next;
    auto consider = [&next](std::uint64_t t) { next = next ? std::min(*next, t) : t; };
    if (!up_pipe_.frames.empty()) consider(up_pipe_.frames.front().due_us);
    if (!down_pipe_.frames.empty()) consider(down_pipe_.frames.front().due_us);
    if (!up_ && outage_end_us_) consider(*outage_end_us_);
    return next;
}

const LinkCounters& LinkModel::counters(LinkDirection dir) const {
    return pipe(dir).counters;
}

std::size_t LinkModel::in_flight(LinkDirection dir) const {
    return pipe(dir).frames.size();
}

}  // namespace platform_air780ep
