package io.memfd.spring.autoconfigure.ipc;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import io.memfd.Seal;
import io.memfd.ipc.MemFdServer;

/**
 * Configuration of the zero-copy IPC server and client ({@code memfd.ipc.*}): sealed memfds handed between processes
 * over a Unix domain socket. The server is off unless {@code memfd.ipc.server.enabled=true}; the client exists once
 * {@code memfd.ipc.client.path} names a server.
 *
 * <p>The properties validate themselves when they are bound, and a wrong value fails start-up with a report that names
 * the property.
 */
@ConfigurationProperties("memfd.ipc")
public class MemFdIpcProperties implements Validator {

    /** Four octal digits with a leading zero, as chmod(1) writes them. */
    private static final Pattern OCTAL_MODE = Pattern.compile("0[0-7]{3}");

    /** The largest user id: {@code uid_t} has 32 bits, and {@code (uid_t) -1} means "no user". */
    private static final long MAX_UID = 0xFFFF_FFFEL;

    private final Server server = new Server();

    private final Client client = new Client();

    public Server getServer() {
        return this.server;
    }

    public Client getClient() {
        return this.client;
    }

    /** Settings of the server that receives memfds. */
    public static class Server {

        /**
         * Whether to run the server. It hands each accepted buffer to the application's MemFdHandler bean; start-up
         * fails when there is none, or several without a primary one.
         */
        private boolean enabled;

        /**
         * Path of the server's socket file. Default: memfd-NAME.sock, where NAME is spring.application.name (memfd.sock
         * when the application has no name), in a directory only this user may enter: $XDG_RUNTIME_DIR where it is set
         * and private, otherwise memfd-UID in java.io.tmpdir, created with mode 0700 (start-up fails if another user
         * made it). A path of your own belongs in such a directory too, such as /run/APP (systemd's
         * RuntimeDirectory=): in a directory others may write to, another user could take the path first. At most 107
         * bytes.
         */
        private @Nullable Path path;

        /**
         * Permission bits of the socket file, in octal with a leading zero; connecting needs write permission. In YAML,
         * quote the value ('0660'): unquoted, YAML reads 0660 as the number 432.
         */
        private String fileMode = "0600";

        /**
         * Seals every received buffer must carry (more are fine). shrink makes mapping a buffer safe from a sender that
         * would shrink it (SIGBUS); grow keeps its size what max-buffer-size and memfd.max-total-size were checked
         * against on arrival. write is the application's choice: add it to be sure the content cannot change after it
         * was accepted (a checksum, a parsed header); leave it out to share memory the sender goes on writing.
         */
        private Set<Seal> requiredSeals = EnumSet.of(Seal.SHRINK, Seal.GROW);

        /**
         * User ids whose processes may connect (SO_PEERCRED). Default: only the user this application runs as.
         * Widen file-mode too, so that those users may open the socket file.
         */
        private @Nullable Set<Long> allowedUids = new LinkedHashSet<>();

        /** Largest header a client may send and largest reply the handler may return. */
        private DataSize maxPayloadSize = DataSize.ofKilobytes(64);

        /**
         * Largest buffer accepted, as its size is on arrival. Default: the MemFdFactory's per-buffer limit
         * (memfd.max-size). The factory's limits apply in any case: received buffers are listed in its registry and
         * count against memfd.max-total-size.
         */
        private @Nullable DataSize maxBufferSize;

        /** Connections served at once, each by a thread of its own; more are refused. */
        private int maxConnections = 64;

        /** How long a connection may stay silent, or leave a reply unread, before the server closes it. */
        private Duration idleTimeout = Duration.ofMinutes(1);

        /** How long stopping the server waits for handlers still running before it interrupts them. */
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable Path getPath() {
            return this.path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public String getFileMode() {
            return this.fileMode;
        }

        public void setFileMode(String fileMode) {
            this.fileMode = fileMode;
        }

        public Set<Seal> getRequiredSeals() {
            return this.requiredSeals;
        }

        public void setRequiredSeals(Set<Seal> requiredSeals) {
            this.requiredSeals = requiredSeals;
        }

        public @Nullable Set<Long> getAllowedUids() {
            return this.allowedUids;
        }

        public void setAllowedUids(@Nullable Set<Long> allowedUids) {
            this.allowedUids = allowedUids;
        }

        public DataSize getMaxPayloadSize() {
            return this.maxPayloadSize;
        }

        public void setMaxPayloadSize(DataSize maxPayloadSize) {
            this.maxPayloadSize = maxPayloadSize;
        }

        public @Nullable DataSize getMaxBufferSize() {
            return this.maxBufferSize;
        }

        public void setMaxBufferSize(@Nullable DataSize maxBufferSize) {
            this.maxBufferSize = maxBufferSize;
        }

        public int getMaxConnections() {
            return this.maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public Duration getIdleTimeout() {
            return this.idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Duration getShutdownTimeout() {
            return this.shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        /** {@link #getFileMode()} as permissions; call only on validated properties. */
        Set<PosixFilePermission> fileModePermissions() {
            int bits = Integer.parseInt(this.fileMode, 8);
            Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission permission : PosixFilePermission.values()) {
                // The enum runs OWNER_READ..OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
                if ((bits & (1 << (8 - permission.ordinal()))) != 0) {
                    permissions.add(permission);
                }
            }
            return permissions;
        }
    }

    /** Settings of the client bean that sends memfds to a server. */
    public static class Client {

        /**
         * Path of the server's socket file. Setting it creates the MemFdClient bean; it connects on first use. At most
         * 107 bytes.
         */
        private @Nullable Path path;

        /** How long to wait for a server whose backlog of pending connections is full. */
        private Duration connectTimeout = Duration.ofSeconds(5);

        /** How long to wait for the server to take a message and answer it, its handler's time included. */
        private Duration replyTimeout = Duration.ofSeconds(30);

        /** Largest header sent and largest reply accepted; as on the server. */
        private DataSize maxPayloadSize = DataSize.ofKilobytes(64);

        /**
         * User ids the server's process may run as (SO_PEERCRED), checked on connecting, before anything is sent.
         * Default: only the user this application runs as. Add 0 for a server that runs as root.
         */
        private @Nullable Set<Long> allowedServerUids = new LinkedHashSet<>();

        public @Nullable Path getPath() {
            return this.path;
        }

        public void setPath(@Nullable Path path) {
            this.path = path;
        }

        public Duration getConnectTimeout() {
            return this.connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getReplyTimeout() {
            return this.replyTimeout;
        }

        public void setReplyTimeout(Duration replyTimeout) {
            this.replyTimeout = replyTimeout;
        }

        public DataSize getMaxPayloadSize() {
            return this.maxPayloadSize;
        }

        public void setMaxPayloadSize(DataSize maxPayloadSize) {
            this.maxPayloadSize = maxPayloadSize;
        }

        public @Nullable Set<Long> getAllowedServerUids() {
            return this.allowedServerUids;
        }

        public void setAllowedServerUids(@Nullable Set<Long> allowedServerUids) {
            this.allowedServerUids = allowedServerUids;
        }
    }

    /** Whether a set of uids is unset: null (set so from code) or empty (the default) both mean this user only. */
    static boolean isUnset(@Nullable Set<Long> uids) {
        return uids == null || uids.isEmpty();
    }

    /** Validates the server's and the client's settings, each as Spring Boot binds it. */
    @Override
    public boolean supports(Class<?> type) {
        return Server.class.isAssignableFrom(type) || Client.class.isAssignableFrom(type);
    }

    /**
     * Called by Spring Boot after binding {@code memfd.ipc.server} or {@code memfd.ipc.client}; each error names its
     * property, as written, in the start-up failure report.
     */
    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof Server server) {
            validate(server, errors);
        } else if (target instanceof Client client) {
            validate(client, errors);
        }
    }

    private static void validate(Server server, Errors errors) {
        checkPath(errors, server.path);
        if (server.fileMode == null || !OCTAL_MODE.matcher(server.fileMode).matches()) {
            errors.rejectValue("fileMode", "memfd.invalid", "must be four octal digits with a leading zero, such as"
                    + " 0600 or 0660 (in YAML, quoted: '0660')");
        }
        if (server.requiredSeals == null) {
            errors.rejectValue("requiredSeals", "memfd.invalid", "must be a set of seals; shrink at least is advised");
        }
        checkUids(errors, "allowedUids", server.allowedUids);
        checkPayloadSize(errors, server.maxPayloadSize);
        if (server.maxBufferSize != null) {
            checkPositive(errors, "maxBufferSize", server.maxBufferSize.toBytes());
        }
        checkPositive(errors, "maxConnections", server.maxConnections);
        checkPositive(errors, "idleTimeout", server.idleTimeout);
        checkPositive(errors, "shutdownTimeout", server.shutdownTimeout);
    }

    private static void validate(Client client, Errors errors) {
        checkPath(errors, client.path);
        checkPositive(errors, "connectTimeout", client.connectTimeout);
        checkPositive(errors, "replyTimeout", client.replyTimeout);
        checkPayloadSize(errors, client.maxPayloadSize);
        checkUids(errors, "allowedServerUids", client.allowedServerUids);
    }

    /** Null or empty means the default: this user only. */
    private static void checkUids(Errors errors, String field, @Nullable Set<Long> uids) {
        if (uids != null && uids.stream().anyMatch((uid) -> uid == null || uid < 0 || uid > MAX_UID)) {
            errors.rejectValue(field, "memfd.invalid", "must be user ids, 0 or more and at most " + MAX_UID
                    + " (uid_t has 32 bits, and 4294967295 means no user)");
        }
    }

    private static void checkPath(Errors errors, @Nullable Path path) {
        if (path == null) {
            return;
        }
        try {
            MemFdServer.checkPath(path);
        } catch (IllegalArgumentException e) {
            errors.rejectValue("path", "memfd.invalid", e.getMessage());
        }
    }

    private static void checkPayloadSize(Errors errors, @Nullable DataSize size) {
        if (size == null || size.toBytes() <= 0 || size.toBytes() > Integer.MAX_VALUE) {
            errors.rejectValue("maxPayloadSize", "memfd.invalid", "must be a positive size below 2GB, such as 64KB");
        }
    }

    private static void checkPositive(Errors errors, String field, long value) {
        if (value <= 0) {
            errors.rejectValue(field, "memfd.notPositive", "must be positive");
        }
    }

    private static void checkPositive(Errors errors, String field, @Nullable Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            errors.rejectValue(field, "memfd.notPositive", "must be a positive duration, such as 30s");
        }
    }
}
