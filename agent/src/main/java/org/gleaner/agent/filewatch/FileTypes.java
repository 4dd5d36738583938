package org.gleaner.agent.filewatch;

/** The file type bits of st_mode (inode(7)), as read through the "unix:mode" attribute. */
final class FileTypes {
    static final int S_IFMT = 0170000;
    static final int S_IFIFO = 0010000;
    static final int S_IFSOCK = 0140000;

    private FileTypes() {}

    static int typeOf(Object unixMode) {
        return (Integer) unixMode & S_IFMT;
    }
}
