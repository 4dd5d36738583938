package org.gleaner.agent.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Phrases a failed file operation as "PATH: reason". The JDK's {@link NoSuchFileException} and
 * {@link AccessDeniedException} carry only the path as their message, which tells a user nothing.
 */
public final class IoErrors {
    private IoErrors() {}

    /** "PATH: reason" for the first file-system error in {@code error}'s causes, else the message of {@code error}. */
    public static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof FileSystemException failed && failed.getFile() != null) {
                String message = error.getMessage();
                boolean onlyThePath = message == null || message.equals(failed.getMessage())
                        || message.equals(failed.toString());
                return onlyThePath ? failed.getFile() + ": " + reason(failed)
                        : message + (message.contains(reason(failed)) ? "" : ": " + reason(failed));
            }
        }
        return String.valueOf(error.getMessage());
    }

    /** Why {@code failed} failed, in words: "permission denied", "no such directory: /a/b", "read-only file system". */
    public static String reason(FileSystemException failed) {
        if (failed instanceof NoSuchFileException) {
            Path parent = Path.of(failed.getFile()).toAbsolutePath().getParent();
            return parent != null && !Files.isDirectory(parent) ? "no such directory: " + parent : "no such file or directory";
        }
        if (failed instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failed instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        String reason = failed.getReason();
        if (reason == null || reason.isBlank()) {
            return failed.getClass().getSimpleName();
        }
        return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
    }
}
