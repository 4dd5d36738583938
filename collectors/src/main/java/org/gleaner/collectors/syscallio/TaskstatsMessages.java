package org.gleaner.collectors.syscallio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gleaner.collectors.netlink.NetlinkAttributes;
import org.gleaner.collectors.text.ByteText;

/**
 * Builds the generic-netlink requests of the taskstats interface and parses what the kernel sends
 * back (Documentation/accounting/taskstats.rst, include/uapi/linux/taskstats.h). Pure: no socket
 * here, and malformed or truncated input is counted, never thrown.
 */
public final class TaskstatsMessages {
    static final int NLMSG_HEADER = 16;
    static final int GENL_HEADER = 4;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 1;

    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final String FAMILY_NAME = "TASKSTATS";

    static final int TASKSTATS_CMD_GET = 1;
    static final int TASKSTATS_CMD_NEW = 2;
    static final int TASKSTATS_GENL_VERSION = 1;
    static final int TASKSTATS_TYPE_PID = 1;
    static final int TASKSTATS_TYPE_STATS = 3;
    static final int TASKSTATS_TYPE_AGGR_PID = 4;
    static final int TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3;
    static final int TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK = 4;

    /*
     * Offsets in struct taskstats (naturally aligned C struct; fields are only ever appended, so
     * these hold for every version that has them). Checked with offsetof() against the uapi header.
     */
    static final int OFFSET_VERSION = 0;
    static final int OFFSET_FLAG = 8;
    static final int AGROUP = 0x20; // include/uapi/linux/acct.h: the last task of its thread group
    static final int OFFSET_COMM = 80;
    static final int COMM_LENGTH = 32;
    static final int OFFSET_PID = 128;
    static final int OFFSET_PPID = 132;
    static final int OFFSET_READ_CHAR = 216; // then write_char, read_syscalls, write_syscalls,
                                             // read_bytes, write_bytes, cancelled_write_bytes: u64 each
    static final int IO_END = OFFSET_READ_CHAR + 8 * 7;
    static final int OFFSET_TGID = 368; // version 12 and later
    static final int VERSION_WITH_TGID = 12;

    /** What one received datagram held. */
    public record Datagram(List<TaskExit> exits, int malformed, List<Integer> errors) {}

    private TaskstatsMessages() {}

    /** CTRL_CMD_GETFAMILY for the TASKSTATS family. */
    static byte[] getFamilyRequest(int sequence) {
        byte[] name = (FAMILY_NAME + "\0").getBytes(StandardCharsets.US_ASCII);
        return request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, sequence, CTRL_ATTR_FAMILY_NAME, name);
    }

    /** TASKSTATS_CMD_GET registering (or deregistering) the sending socket for exits on {@code cpuList} ("0-3"). */
    static byte[] listenerRequest(int familyId, int sequence, String cpuList, boolean register) {
        byte[] mask = (cpuList + "\0").getBytes(StandardCharsets.US_ASCII);
        int attribute = register ? TASKSTATS_CMD_ATTR_REGISTER_CPUMASK : TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK;
        return request(familyId, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION, sequence, attribute, mask);
    }

    private static byte[] request(int type, int command, int version, int sequence, int attribute, byte[] value) {
        int attributeLength = NetlinkAttributes.HEADER + value.length;
        int length = NLMSG_HEADER + GENL_HEADER + NetlinkAttributes.align(attributeLength);
        ByteBuffer message = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        message.putInt(length).putShort((short) type).putShort((short) NLM_F_REQUEST).putInt(sequence).putInt(0);
        message.put((byte) command).put((byte) version).putShort((short) 0);
        message.putShort((short) attributeLength).putShort((short) attribute).put(value);
        return message.array();
    }

    /**
     * The family id from a CTRL_CMD_GETFAMILY reply: positive; or a negative errno if the kernel
     * answered with an error; or 0 if the reply holds neither.
     */
    static int familyId(ByteBuffer reply) {
        ByteBuffer buffer = reply.duplicate().order(ByteOrder.nativeOrder());
        for (int offset = buffer.position(); offset + NLMSG_HEADER <= buffer.limit(); ) {
            int length = buffer.getInt(offset);
            int type = Short.toUnsignedInt(buffer.getShort(offset + 4));
            if (length < NLMSG_HEADER || offset + length > buffer.limit()) {
                return 0;
            }
            if (type == NLMSG_ERROR && length >= NLMSG_HEADER + 4 && buffer.getInt(offset + NLMSG_HEADER) != 0) {
                return buffer.getInt(offset + NLMSG_HEADER);
            }
            if (type == GENL_ID_CTRL && length >= NLMSG_HEADER + GENL_HEADER) {
                var attributes = NetlinkAttributes.walk(buffer, offset + NLMSG_HEADER + GENL_HEADER, offset + length);
                var id = attributes.first(CTRL_ATTR_FAMILY_ID);
                if (id != null && id.valueLength() >= 2) {
                    return Short.toUnsignedInt(buffer.getShort(id.valueOffset()));
                }
            }
            offset += NetlinkAttributes.align(length);
        }
        return 0;
    }

    /**
     * Parses one datagram from a registered taskstats socket: every TASKSTATS_CMD_NEW message's
     * per-task (AGGR_PID) statistics. Per-process (AGGR_TGID) statistics are skipped: the kernel
     * fills only their delay-accounting fields at exit (fill_tgid_exit), their I/O counters are 0.
     */
    public static Datagram parse(ByteBuffer datagram, int familyId) {
        ByteBuffer buffer = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<TaskExit> exits = new ArrayList<>();
        List<Integer> errors = new ArrayList<>();
        int malformed = 0;
        int offset = buffer.position();
        while (offset + NLMSG_HEADER <= buffer.limit()) {
            int length = buffer.getInt(offset);
            int type = Short.toUnsignedInt(buffer.getShort(offset + 4));
            if (length < NLMSG_HEADER || offset + length > buffer.limit()) {
                return new Datagram(exits, malformed + 1, errors);
            }
            if (type == NLMSG_ERROR) {
                if (length >= NLMSG_HEADER + 4) {
                    errors.add(buffer.getInt(offset + NLMSG_HEADER));
                } else {
                    malformed++;
                }
            } else if (type == familyId) {
                malformed += parseTaskstatsMessage(buffer, offset, length, exits);
            }
            offset += NetlinkAttributes.align(length);
        }
        if (offset < buffer.limit()) {
            malformed++;
        }
        return new Datagram(exits, malformed, errors);
    }

    private static int parseTaskstatsMessage(ByteBuffer buffer, int offset, int length, List<TaskExit> exits) {
        if (length < NLMSG_HEADER + GENL_HEADER) {
            return 1;
        }
        if (Byte.toUnsignedInt(buffer.get(offset + NLMSG_HEADER)) != TASKSTATS_CMD_NEW) {
            return 0;
        }
        int malformed = 0;
        var top = NetlinkAttributes.walk(buffer, offset + NLMSG_HEADER + GENL_HEADER, offset + length);
        if (!top.complete()) {
            malformed++;
        }
        for (var aggregate : top.attributes()) {
            if (aggregate.type() != TASKSTATS_TYPE_AGGR_PID) {
                continue;
            }
            var inner = NetlinkAttributes.walk(buffer, aggregate.valueOffset(), aggregate.valueOffset() + aggregate.valueLength());
            var stats = inner.first(TASKSTATS_TYPE_STATS);
            TaskExit exit = stats == null ? null : parseStats(buffer, stats.valueOffset(), stats.valueLength());
            if (exit == null) {
                malformed++;
                continue;
            }
            var pid = inner.first(TASKSTATS_TYPE_PID);
            if (pid != null && pid.valueLength() >= 4 && buffer.getInt(pid.valueOffset()) != exit.pid()) {
                malformed++; // the envelope and the struct disagree on whose statistics these are
                continue;
            }
            exits.add(exit);
        }
        return malformed;
    }

    /** A struct taskstats at {@code offset}; null if too short to hold the I/O counters or holding impossible values. */
    static TaskExit parseStats(ByteBuffer buffer, int offset, int length) {
        if (length < IO_END || offset + length > buffer.limit()) {
            return null;
        }
        int version = Short.toUnsignedInt(buffer.getShort(offset + OFFSET_VERSION));
        long[] counters = new long[IoCounters.NAMES.size()];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = buffer.getLong(offset + OFFSET_READ_CHAR + 8 * i);
            if (counters[i] < 0) {
                return null;
            }
        }
        int pid = buffer.getInt(offset + OFFSET_PID);
        int tgid = version >= VERSION_WITH_TGID && length >= OFFSET_TGID + 4 ? buffer.getInt(offset + OFFSET_TGID) : 0;
        if (pid <= 0) {
            return null;
        }
        boolean groupDead = (buffer.get(offset + OFFSET_FLAG) & AGROUP) != 0;
        return new TaskExit(pid, tgid, buffer.getInt(offset + OFFSET_PPID), comm(buffer, offset + OFFSET_COMM),
                IoCounters.of(counters), groupDead, version);
    }

    private static String comm(ByteBuffer buffer, int offset) {
        byte[] bytes = new byte[COMM_LENGTH];
        int length = 0;
        while (length < COMM_LENGTH && buffer.get(offset + length) != 0) {
            bytes[length] = buffer.get(offset + length);
            length++;
        }
        return ByteText.human(bytes, 0, length);
    }
}
