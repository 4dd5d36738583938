package org.gleaner.agent.pipeline;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A stand-in for the daemon, run in a child JVM by {@link OutageTest} so that it can be killed -9:
 * submits datapoint i = (metric, i + 0.5, firstTimestamp + i) once per second into a CarbonDelivery
 * and prints "submitted i timestamp" once submit has returned (the point is durable then).
 *
 * <p>Arguments: spoolDir carbonPort metricPath firstIndex firstTimestamp maxPoints
 */
public final class SubmitEverySecond {
    private SubmitEverySecond() {}

    public static void main(String[] args) throws Exception {
        Path spool = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String metric = args[2];
        int firstIndex = Integer.parseInt(args[3]);
        long firstTimestamp = Long.parseLong(args[4]);
        int maxPoints = Integer.parseInt(args[5]);
        CarbonTarget target = new CarbonTarget(List.of(new CarbonTarget.Destination("127.0.0.1", port)), CarbonTarget.Protocol.PLAINTEXT);
        try (CarbonDelivery delivery = CarbonDelivery.open(target, new SpoolSettings(spool, 64 << 20), new MetricRegistry())) {
            long next = System.nanoTime();
            for (int n = 0; n < maxPoints; n++) {
                int index = firstIndex + n;
                long timestamp = firstTimestamp + n;
                delivery.submit(List.of(new Datapoint(metric, index + 0.5, timestamp)));
                System.out.println("submitted " + index + " " + timestamp);
                System.out.flush();
                next += Duration.ofSeconds(1).toNanos();
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            }
        }
    }
}
