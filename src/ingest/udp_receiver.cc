#include "ingest/udp_receiver.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "ingest/capture_thread.h"

namespace homer::ingest {
namespace {

constexpr int kBatch = 64;  // datagrams per recvmmsg
constexpr int kRoundsPerWake = 16;  // recvmmsg calls before the stop flag is looked at again
constexpr size_t kMaxDatagram = 65535;

/// Ask for `bytes` of receive buffer (past net.core.rmem_max when we may) and log what we got.
void SizeReceiveBuffer(int fd, int64_t bytes) {
  if (bytes <= 0) return;
  const int want = static_cast<int>(std::min<int64_t>(bytes, INT_MAX / 2));
  const bool forced = ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) == 0;
  if (!forced) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
  int granted = 0;
  socklen_t len = sizeof(granted);
  ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
  // Linux reports twice what it reserves for data (the rest is its bookkeeping).
  if (granted / 2 < want) {
    spdlog::warn("ingest.udp: receive buffer of {} bytes asked (ingest.udp.receive_buffer_bytes), the kernel granted "
                 "{}; raise net.core.rmem_max or run with CAP_NET_ADMIN",
                 want, granted / 2);
  } else {
    spdlog::info("ingest.udp: receive buffer {} bytes{}", granted / 2, forced ? " (SO_RCVBUFFORCE)" : "");
  }
}

/// What the kernel says about a datagram: its receive time (SO_TIMESTAMP, else 0) and how many
/// datagrams the socket dropped so far for want of buffer (SO_RXQ_OVFL; only sent once nonzero).
void KernelNotes(msghdr* msg, int64_t* time_us, uint32_t* overflows) {
  *time_us = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_TIMESTAMP) {
      timeval tv;
      std::memcpy(&tv, CMSG_DATA(c), sizeof(tv));
      *time_us = static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
    } else if (c->cmsg_type == SO_RXQ_OVFL) {
      std::memcpy(overflows, CMSG_DATA(c), sizeof(*overflows));
    }
  }
}

}  // namespace

arrow::Result<std::unique_ptr<UdpReceiver>> UdpReceiver::Start(const config::IngestConfig& config, PacketQueue* queue,
                                                               IngestStats* stats) {
  std::unique_ptr<UdpReceiver> r(new UdpReceiver());
  ARROW_ASSIGN_OR_RAISE(r->socket_, BindSocket("ingest.udp", config.udp.host, config.udp.port, SOCK_DGRAM));
  ARROW_ASSIGN_OR_RAISE(r->waker_, Waker::Make());
  r->port_ = LocalPort(r->socket_.get());
  r->queue_ = queue;
  r->stats_ = stats;
  r->max_packet_bytes_ = static_cast<size_t>(std::clamp<int64_t>(config.max_packet_bytes, 1, kMaxDatagram));
  SizeReceiveBuffer(r->socket_.get(), config.udp.receive_buffer_bytes);
  const int on = 1;
  ::setsockopt(r->socket_.get(), SOL_SOCKET, SO_TIMESTAMP, &on, sizeof(on));
  ::setsockopt(r->socket_.get(), SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
  spdlog::info("ingest.udp: listening on {}", HostPort(config.udp.host, r->port_));
  r->thread_ = std::thread([p = r.get()] {
    BecomeCaptureThread("hep-udp");
    p->Run();
  });
  return r;
}

UdpReceiver::~UdpReceiver() { Stop(); }

void UdpReceiver::Stop() {
  if (!thread_.joinable()) return;
  waker_.Wake();
  thread_.join();
  socket_.reset();
}

void UdpReceiver::Run() {
  // One buffer of max_packet_bytes per datagram of a batch: a longer datagram is cut by the
  // kernel and flagged MSG_TRUNC, and is then counted as too large.
  std::vector<uint8_t> buffers(kBatch * max_packet_bytes_);
  constexpr size_t kControl = CMSG_SPACE(sizeof(timeval)) + CMSG_SPACE(sizeof(uint32_t));
  uint32_t overflows = 0;  // the socket's count since it was opened
  std::vector<uint8_t> control(kBatch * kControl);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<PacketView> views;
  views.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) iov[i] = {buffers.data() + i * max_packet_bytes_, max_packet_bytes_};

  pollfd fds[2] = {{socket_.get(), POLLIN, 0}, {waker_.fd(), POLLIN, 0}};
  while (true) {
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      spdlog::error("ingest.udp: poll failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    for (int round = 0; round < kRoundsPerWake; ++round) {
      for (int i = 0; i < kBatch; ++i) {
        msghdr& h = msgs[i].msg_hdr;
        h = {};
        h.msg_iov = &iov[i];
        h.msg_iovlen = 1;
        h.msg_control = control.data() + i * kControl;
        h.msg_controllen = kControl;
      }
      // MSG_TRUNC: msg_len is the datagram's real length even when it did not fit.
      const int n = ::recvmmsg(socket_.get(), msgs.data(), kBatch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          spdlog::warn("ingest.udp: recvmmsg failed: {}", std::strerror(errno));
        }
        break;
      }
      const int64_t now = NowMicros();
      uint64_t bytes = 0, too_large = 0;
      views.clear();
      for (int i = 0; i < n; ++i) {
        const size_t len = msgs[i].msg_len;
        bytes += len;
        if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 || len > max_packet_bytes_) {
          ++too_large;
          continue;
        }
        int64_t at;
        KernelNotes(&msgs[i].msg_hdr, &at, &overflows);
        views.push_back({{static_cast<const uint8_t*>(iov[i].iov_base), len}, at != 0 ? at : now});
      }
      stats_->Received(Transport::kUdp, n, bytes);
      stats_->UdpSocketOverflows(overflows);
      stats_->Dropped(DropReason::kTooLarge, too_large);
      stats_->Dropped(DropReason::kQueueFull, views.size() - queue_->TryPushBatch(views, Transport::kUdp));
      if (n < kBatch) break;  // the socket is drained: back to poll
    }
  }
}

}  // namespace homer::ingest
