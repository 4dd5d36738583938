package org.gleaner.agent.collect;

import java.time.Duration;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.syscallio.SyscallIoCollector;

/**
 * {@code collectors: {syscallio: {receive_buffer: 16MiB, forget_after: 1h}}}: per-unit syscall I/O
 * (rchar, wchar, syscr, syscw, read_bytes, write_bytes, cancelled_write_bytes), exact across
 * process exits. Needs root (taskstats exit notifications need CAP_NET_ADMIN).
 */
public final class SyscallIoCollectorFactory implements CollectorFactory {
    private static final long MIN_RECEIVE_BUFFER = 64 << 10;
    private static final long MAX_RECEIVE_BUFFER = 1 << 30;

    @Override
    public String name() {
        return "syscallio";
    }

    @Override
    public boolean enabledByDefault() {
        return true;
    }

    @Override
    public Collector create(CollectorOptions options, Duration timeout) throws Exception {
        long receiveBuffer = options.bytes("receive_buffer", 16 << 20);
        if (receiveBuffer < MIN_RECEIVE_BUFFER || receiveBuffer > MAX_RECEIVE_BUFFER) {
            throw InvalidOption.of(options, "receive_buffer", "must be between 64KiB and 1GiB, not " + receiveBuffer);
        }
        Duration forgetAfter = options.duration("forget_after", Duration.ofHours(1));
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw InvalidOption.of(options, "forget_after", "must be more than 0");
        }
        return SyscallIoCollector.start(new SyscallIoCollector.Settings(
                (int) receiveBuffer, forgetAfter, SyscallIoCollector.Settings.systemdUnits()));
    }
}
