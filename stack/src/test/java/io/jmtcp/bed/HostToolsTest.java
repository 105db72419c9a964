package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jmtcp.bed.HostTools.Requirement;
import io.jmtcp.bed.HostTools.Result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer's decisions, with fake probes and a fake apt-get: nothing here needs root or
 * touches the package database.
 */
class HostToolsTest
{
    private static final Path APT_GET = Path.of("/usr/bin/apt-get");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** Packages the fake apt-get has "installed"; the fake probes look here. */
    private final Set<String> installed = new HashSet<>();
    private final List<List<String>> commands = new ArrayList<>();
    private final List<Map<String, String>> environments = new ArrayList<>();

    private Requirement fake(final String name, final String debianPackage)
    {
        return new Requirement(name, () -> installed.contains(debianPackage), debianPackage);
    }

    private CommandRunner installingRunner()
    {
        return (timeout, environment, command) ->
        {
            commands.add(command);
            environments.add(environment);
            if (command.contains("install"))
            {
                installed.addAll(command.subList(command.indexOf("--no-install-recommends") + 1, command.size()));
            }
            return new CommandResult(command, 0, "", "", false, Duration.ofMillis(5));
        };
    }

    private static CommandRunner unexpectedRunner()
    {
        return (timeout, environment, command) -> fail("must not run " + command);
    }

    @Test
    void allPresentInstallsNothing()
    {
        installed.add("iproute2");
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), unexpectedRunner(), TIMEOUT);

        final Result result = tools.check(List.of(fake("ip", "iproute2"), fake("tc", "iproute2")));

        assertTrue(result.ok());
        assertEquals(2, result.present().size());
        assertTrue(result.installed().isEmpty());
        assertEquals("", result.installCommand());
        assertTrue(result.message().contains("ip, tc"), result.message());
    }

    @Test
    void missingAsRootWithAptRunsUpdateThenInstallsExactlyTheMissingPackages()
    {
        installed.add("ethtool");
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), installingRunner(), TIMEOUT);

        final Result result = tools.check(List.of(
            fake("ethtool", "ethtool"), fake("libpcap", "libpcap0.8"), fake("ip", "iproute2"), fake("tc", "iproute2")));

        assertTrue(result.ok(), result.message());
        assertEquals(List.of(
            List.of("/usr/bin/apt-get", "update"),
            List.of("/usr/bin/apt-get", "-o", "DPkg::Lock::Timeout=120", "install", "-y", "--no-install-recommends",
                "libpcap0.8", "iproute2")),
            commands);
        environments.forEach(environment -> assertEquals("noninteractive", environment.get("DEBIAN_FRONTEND")));
        assertEquals(List.of("libpcap", "ip", "tc"), result.installed().stream().map(Requirement::name).toList());
        assertTrue(result.message().contains("installed now: libpcap0.8 iproute2"), result.message());
    }

    @Test
    void aptGetUpdateRunsOncePerInstaller()
    {
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), installingRunner(), TIMEOUT);

        tools.check(List.of(fake("ping", "iputils-ping")));
        tools.check(List.of(fake("curl", "curl")));

        assertEquals(3, commands.size());
        assertEquals(List.of("/usr/bin/apt-get", "update"), commands.get(0));
        assertEquals("curl", commands.get(2).get(commands.get(2).size() - 1));
        assertFalse(commands.get(2).contains("update"));
    }

    @Test
    void notRootNamesThePackagesToInstall()
    {
        final HostTools tools = new HostTools(() -> false, () -> Optional.of(APT_GET), unexpectedRunner(), TIMEOUT);

        final Result result = tools.check(List.of(fake("libpcap", "libpcap0.8"), fake("ping", "iputils-ping")));

        assertFalse(result.ok());
        assertEquals(List.of("libpcap0.8", "iputils-ping"), result.missingPackages());
        assertEquals("sudo apt-get install -y --no-install-recommends libpcap0.8 iputils-ping", result.installCommand());
        assertTrue(result.message().contains("not running as root"), result.message());
        assertTrue(result.message().contains(result.installCommand()), result.message());
        final BedException thrown = assertThrows(BedException.class, result::orThrow);
        assertEquals(result.message(), thrown.getMessage());
    }

    @Test
    void noAptGetSaysSo()
    {
        final HostTools tools = new HostTools(() -> true, Optional::empty, unexpectedRunner(), TIMEOUT);

        final Result result = tools.check(List.of(fake("ethtool", "ethtool")));

        assertFalse(result.ok());
        assertTrue(result.message().contains("no apt-get"), result.message());
        assertTrue(result.message().contains("sudo apt-get install -y --no-install-recommends ethtool"), result.message());
    }

    @Test
    void installFailureQuotesTheInstallersLastLines()
    {
        final CommandRunner failing = (timeout, environment, command) ->
        {
            commands.add(command);
            return command.contains("install")
                ? new CommandResult(command, 100, "Reading package lists...\nBuilding dependency tree...",
                    "E: Unable to locate package libpcap0.8", false, Duration.ofSeconds(2))
                : new CommandResult(command, 0, "Hit:1 http://deb.debian.org bookworm InRelease", "", false, Duration.ofSeconds(1));
        };
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), failing, TIMEOUT);

        final Result result = tools.check(List.of(fake("libpcap", "libpcap0.8")));

        assertFalse(result.ok());
        final String message = result.message();
        assertTrue(message.contains("failed (exit 100)"), message);
        assertTrue(message.contains("E: Unable to locate package libpcap0.8"), message);
        assertTrue(message.contains("Building dependency tree..."), message);
        assertTrue(message.contains("sudo apt-get install -y --no-install-recommends libpcap0.8"), message);
    }

    @Test
    void installTimeoutAndFailedUpdateAreBothReported()
    {
        final CommandRunner slow = (timeout, environment, command) -> command.contains("install")
            ? new CommandResult(command, 137, "Unpacking libpcap0.8 ...", "", true, TIMEOUT)
            : new CommandResult(command, 100, "", "E: Could not resolve 'deb.debian.org'", false, Duration.ofSeconds(1));
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), slow, TIMEOUT);

        final String message = tools.check(List.of(fake("libpcap", "libpcap0.8"))).message();

        assertTrue(message.contains("timed out after 600 s"), message);
        assertTrue(message.contains("Unpacking libpcap0.8"), message);
        assertTrue(message.contains("apt-get update` failed (exit 100)"), message);
        assertTrue(message.contains("Could not resolve"), message);
    }

    @Test
    void successfulInstallThatDoesNotProvideTheToolIsReported()
    {
        final CommandRunner noop = (timeout, environment, command) -> new CommandResult(command, 0, "", "", false, Duration.ZERO);
        final HostTools tools = new HostTools(() -> true, () -> Optional.of(APT_GET), noop, TIMEOUT);

        final Result result = tools.check(List.of(fake("iperf3", "iperf3")));

        assertFalse(result.ok());
        assertTrue(result.message().contains("succeeded but they are still not found"), result.message());
    }

    @Test
    void libraryIsFoundInAMultiarchDirectory(@TempDir final Path root) throws IOException
    {
        final Path multiarch = Files.createDirectories(root.resolve("usr/lib/x86_64-linux-gnu"));
        final List<Path> directories = List.of(root.resolve("lib"), root.resolve("usr/lib"));
        assertFalse(HostTools.libraryPresent("libpcap.so", directories));

        Files.createFile(multiarch.resolve("libpcap.so.0.8"));

        assertTrue(HostTools.libraryPresent("libpcap.so", directories));
        assertFalse(HostTools.libraryPresent("libfoo.so", directories));
    }

    @Test
    void rootCheckAgreesWithId()
    {
        final CommandResult id = Commands.run(Duration.ofSeconds(5), "id", "-u");
        assertTrue(id.ok(), id.describe());
        assertEquals("0".equals(id.stdout().trim()), HostTools.isRoot());
    }

    @Test
    void requirementsNameTheirPackages()
    {
        assertEquals("libpcap0.8", Requirement.LIBPCAP.debianPackage());
        assertEquals("iproute2", Requirement.IP.debianPackage());
        assertEquals("iproute2", Requirement.TC.debianPackage());
        assertEquals("iputils-ping", Requirement.PING.debianPackage());
        assertEquals("ping (package iputils-ping)", Requirement.PING.toString());
    }
}
