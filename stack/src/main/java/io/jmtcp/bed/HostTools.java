package io.jmtcp.bed;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Makes sure the host has the programs and libraries that the kernel bed and the live pcap port
 * need, and installs what is missing when it can (root on a Debian-like host).
 *
 * <p>{@link #ensure(Requirement...)} probes each {@link Requirement}; if some are missing and
 * this JVM runs as root with {@code apt-get}, it runs {@code apt-get update} (at most once per
 * JVM) and {@code apt-get install -y --no-install-recommends} of exactly the missing packages,
 * non-interactively and under a time limit, then probes again. Whatever is still missing is
 * reported in the {@link Result} with the reason and the command a person should run, because
 * a message that says "install libpcap0.8" saves the reader a search.
 */
public final class HostTools
{
    /** The longest that {@code apt-get update} or {@code apt-get install} may take. */
    public static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    /** How many lines of a failed installer's output a {@link Result} quotes. */
    private static final int TAIL_LINES = 15;

    /**
     * How long apt-get waits for the dpkg lock: on a freshly booted machine an unattended
     * upgrade often holds it for a minute, and failing at once would be a spurious failure.
     */
    private static final String LOCK_TIMEOUT_OPTION = "DPkg::Lock::Timeout=120";

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private static final List<Path> LIBRARY_DIRECTORIES = List.of(
        Path.of("/lib"), Path.of("/lib64"), Path.of("/usr/lib"), Path.of("/usr/lib64"), Path.of("/usr/local/lib"));

    private static final HostTools SYSTEM =
        new HostTools(HostTools::isRoot, () -> Commands.which("apt-get"), Commands.SYSTEM, INSTALL_TIMEOUT);

    /**
     * Something the host must provide, how to tell whether it does, and which Debian package
     * provides it. New needs (a later benchmark's {@code iperf3}) are one more constant or one
     * {@link #executable(String, String)} call away.
     *
     * @param name          what it is, for messages ({@code "ethtool"}, {@code "libpcap"}).
     * @param probe         true if the host has it; called again after an installation.
     * @param debianPackage the Debian/Ubuntu package that provides it.
     */
    public record Requirement(String name, BooleanSupplier probe, String debianPackage)
    {
        /** libpcap, loaded by pcap4j for the live port: any {@code libpcap.so*} in the library directories. */
        public static final Requirement LIBPCAP = new Requirement("libpcap", HostTools::libpcapPresent, "libpcap0.8");

        /** {@code ip}, for namespaces, links and addresses. */
        public static final Requirement IP = executable("ip", "iproute2");

        /** {@code tc}, for the bed's ingress filter and for netem. */
        public static final Requirement TC = executable("tc", "iproute2");

        /** {@code ethtool}, to switch veth offloads off. */
        public static final Requirement ETHTOOL = executable("ethtool", "ethtool");

        /** {@code sysctl}, to set per-namespace kernel parameters from inside a namespace. */
        public static final Requirement SYSCTL = executable("sysctl", "procps");

        /** {@code ping}, a kernel peer for ARP and ICMP tests. */
        public static final Requirement PING = executable("ping", "iputils-ping");

        /** {@code iperf3}, a kernel peer for throughput comparisons. */
        public static final Requirement IPERF3 = executable("iperf3", "iperf3");

        /** {@code curl}, a kernel HTTP client. */
        public static final Requirement CURL = executable("curl", "curl");

        /**
         * Validates the fields.
         *
         * @param name          what it is.
         * @param probe         whether the host has it.
         * @param debianPackage the package that provides it.
         */
        public Requirement
        {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(probe, "probe");
            Objects.requireNonNull(debianPackage, "debianPackage");
        }

        /**
         * A program that must be found on {@code PATH} or in the sbin and bin directories.
         *
         * @param program       the program's file name.
         * @param debianPackage the package that provides it.
         * @return the requirement.
         */
        public static Requirement executable(final String program, final String debianPackage)
        {
            return new Requirement(program, () -> Commands.which(program).isPresent(), debianPackage);
        }

        /**
         * Whether the host has it now.
         *
         * @return the probe's answer.
         */
        public boolean present()
        {
            return probe.getAsBoolean();
        }

        @Override
        public String toString()
        {
            return name + " (package " + debianPackage + ")";
        }
    }

    /** Everything a kernel-bed test may use: the bed itself, the pcap port and ping. */
    public static final List<Requirement> KERNEL_BED = List.of(
        Requirement.LIBPCAP, Requirement.IP, Requirement.TC, Requirement.ETHTOOL, Requirement.SYSCTL, Requirement.PING);

    /**
     * The outcome of {@link #ensure(Requirement...)}.
     *
     * @param present   what was there from the start.
     * @param installed what this call installed.
     * @param missing   what is still missing; empty when {@link #ok()}.
     * @param problem   why the missing ones were not installed; empty when {@link #ok()}.
     */
    public record Result(List<Requirement> present, List<Requirement> installed, List<Requirement> missing, String problem)
    {
        /**
         * Copies the lists.
         *
         * @param present   what was there from the start.
         * @param installed what this call installed.
         * @param missing   what is still missing.
         * @param problem   why the missing ones were not installed.
         */
        public Result
        {
            present = List.copyOf(present);
            installed = List.copyOf(installed);
            missing = List.copyOf(missing);
            Objects.requireNonNull(problem, "problem");
        }

        /**
         * Whether everything asked for is now present.
         *
         * @return true if nothing is missing.
         */
        public boolean ok()
        {
            return missing.isEmpty();
        }

        /**
         * The packages that would provide what is missing, each once, in order.
         *
         * @return the package names.
         */
        public List<String> missingPackages()
        {
            return packagesOf(missing);
        }

        /**
         * The command a person should run to provide what is missing.
         *
         * @return {@code sudo apt-get install -y --no-install-recommends <packages>}, or an empty
         *         string when nothing is missing.
         */
        public String installCommand()
        {
            return ok() ? "" : "sudo apt-get install -y --no-install-recommends " + String.join(" ", missingPackages());
        }

        /**
         * A message for a person: what is there, what was installed, or exactly what is
         * missing, why it could not be installed and the command that installs it.
         *
         * @return the message.
         */
        public String message()
        {
            if (ok())
            {
                final String all = "host tools present: " + names(present) + (installed.isEmpty() ? "" : ", " + names(installed));
                return installed.isEmpty() ? all : all + " (installed now: " + String.join(" ", packagesOf(installed)) + ")";
            }
            return "missing host tools: " + missing.stream().map(Requirement::toString).collect(Collectors.joining(", "))
                + "; not installed automatically because " + problem
                + "\nInstall them with: " + installCommand();
        }

        /**
         * This result if {@link #ok()}, else a {@link BedException} with {@link #message()}.
         *
         * @return this result.
         * @throws BedException if something is missing.
         */
        public Result orThrow()
        {
            if (!ok())
            {
                throw new BedException(message());
            }
            return this;
        }

        private static String names(final List<Requirement> requirements)
        {
            return requirements.stream().map(Requirement::name).collect(Collectors.joining(", "));
        }
    }

    private final BooleanSupplier root;
    private final Supplier<Optional<Path>> aptGet;
    private final CommandRunner runner;
    private final Duration timeout;
    private boolean updateAttempted;

    /**
     * An installer with its view of the host injected, so that its decisions can be tested
     * without root and without touching the package database.
     *
     * @param root    whether this process runs as root.
     * @param aptGet  where apt-get is, if anywhere.
     * @param runner  runs apt-get.
     * @param timeout the limit for each apt-get run.
     */
    HostTools(final BooleanSupplier root, final Supplier<Optional<Path>> aptGet, final CommandRunner runner, final Duration timeout)
    {
        this.root = root;
        this.aptGet = aptGet;
        this.runner = runner;
        this.timeout = timeout;
    }

    /**
     * Make sure the host has what is asked for, installing missing packages when possible.
     *
     * @param requirements what is needed.
     * @return what is present, what was installed, and what is still missing and why.
     */
    public static Result ensure(final Requirement... requirements)
    {
        return SYSTEM.check(List.of(requirements));
    }

    /**
     * Make sure the host has what is asked for, installing missing packages when possible.
     *
     * @param requirements what is needed, for example {@link #KERNEL_BED}.
     * @return what is present, what was installed, and what is still missing and why.
     */
    public static Result ensure(final List<Requirement> requirements)
    {
        return SYSTEM.check(requirements);
    }

    /**
     * Whether this JVM runs with effective user id 0.
     *
     * @return true for root.
     */
    public static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("Uid:"))
                {
                    // Real, effective, saved and filesystem ids: the effective one decides.
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            final CommandResult id = Commands.run(PROBE_TIMEOUT, "id", "-u");
            return id.ok() && "0".equals(id.stdout().trim());
        }
        return false;
    }

    /**
     * Whether this JVM runs on Linux, the only system with network namespaces and veth pairs.
     *
     * @return true on Linux.
     */
    public static boolean isLinux()
    {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /**
     * Whether any {@code libpcap.so*} exists in the usual library directories, including the
     * Debian multiarch ones ({@code /usr/lib/x86_64-linux-gnu}).
     *
     * @return true if libpcap is installed.
     */
    static boolean libpcapPresent()
    {
        return libraryPresent("libpcap.so", LIBRARY_DIRECTORIES);
    }

    /**
     * Whether a file whose name starts with {@code prefix} is in one of the directories or in
     * one of their multiarch subdirectories (a name containing {@code -linux-}).
     *
     * @param prefix      the start of the file name, for example {@code libpcap.so}.
     * @param directories where to look.
     * @return true if such a file exists.
     */
    static boolean libraryPresent(final String prefix, final List<Path> directories)
    {
        for (final Path directory : directories)
        {
            if (!Files.isDirectory(directory))
            {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
            {
                for (final Path entry : entries)
                {
                    final String name = entry.getFileName().toString();
                    if (name.startsWith(prefix)
                        || (name.contains("-linux-") && Files.isDirectory(entry) && libraryPresent(prefix, List.of(entry))))
                    {
                        return true;
                    }
                }
            }
            catch (final IOException ex)
            {
                // An unreadable directory holds nothing we could load either; look in the others.
            }
        }
        return false;
    }

    /**
     * Probe, install what is missing if possible, probe again. Serialised, because two apt-get
     * runs at once would fight over the dpkg lock.
     *
     * @param requirements what is needed.
     * @return the outcome.
     */
    synchronized Result check(final List<Requirement> requirements)
    {
        final List<Requirement> present = new ArrayList<>();
        final List<Requirement> missing = new ArrayList<>();
        for (final Requirement requirement : requirements)
        {
            (requirement.present() ? present : missing).add(requirement);
        }
        if (missing.isEmpty())
        {
            return new Result(present, List.of(), List.of(), "");
        }
        if (!root.getAsBoolean())
        {
            return new Result(present, List.of(), missing, "this JVM is not running as root");
        }
        final Optional<Path> apt = aptGet.get();
        if (apt.isEmpty())
        {
            return new Result(present, List.of(), missing, "there is no apt-get on this host");
        }
        final Map<String, String> environment = Map.of("DEBIAN_FRONTEND", "noninteractive");
        String updateFailure = "";
        if (!updateAttempted)
        {
            // Once per JVM: a fresh machine's package lists are empty, but refreshing them for
            // every bed would cost seconds each time.
            updateAttempted = true;
            final CommandResult update = runner.run(timeout, environment, List.of(apt.get().toString(), "update"));
            if (!update.ok())
            {
                updateFailure = "; before it, " + summary(update);
            }
        }
        final List<String> install = new ArrayList<>(List.of(
            apt.get().toString(), "-o", LOCK_TIMEOUT_OPTION, "install", "-y", "--no-install-recommends"));
        install.addAll(packagesOf(missing));
        final CommandResult installed = runner.run(timeout, environment, install);
        final List<Requirement> nowPresent = new ArrayList<>();
        final List<Requirement> stillMissing = new ArrayList<>();
        for (final Requirement requirement : missing)
        {
            (requirement.present() ? nowPresent : stillMissing).add(requirement);
        }
        if (stillMissing.isEmpty())
        {
            return new Result(present, nowPresent, List.of(), "");
        }
        final String problem = installed.ok()
            ? "`" + installed.commandLine() + "` succeeded but they are still not found" + updateFailure
            : summary(installed) + updateFailure;
        return new Result(present, nowPresent, stillMissing, problem);
    }

    private static String summary(final CommandResult result)
    {
        final String what = result.timedOut()
            ? "timed out after " + result.elapsed().toSeconds() + " s"
            : result.exitCode() == CommandResult.NOT_STARTED ? "could not be started" : "failed (exit " + result.exitCode() + ")";
        return "`" + result.commandLine() + "` " + what + "; its last lines:\n" + result.outputTail(TAIL_LINES);
    }

    private static List<String> packagesOf(final List<Requirement> requirements)
    {
        final LinkedHashSet<String> packages = new LinkedHashSet<>();
        requirements.forEach(requirement -> packages.add(requirement.debianPackage()));
        return List.copyOf(packages);
    }
}
