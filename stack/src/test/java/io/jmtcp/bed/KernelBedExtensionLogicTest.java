package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmtcp.bed.HostTools.Requirement;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** The extension's decisions for every kind of host, whatever host this test runs on. */
class KernelBedExtensionLogicTest
{
    @Test
    void notLinuxIsSkippedWithTheReason()
    {
        final ConditionEvaluationResult result = KernelBedExtension.evaluate(false, true);

        assertTrue(result.isDisabled());
        assertEquals(Optional.of("kernel bed needs Linux"), result.getReason());
    }

    @Test
    void notRootIsSkippedWithTheReason()
    {
        final ConditionEvaluationResult result = KernelBedExtension.evaluate(true, false);

        assertTrue(result.isDisabled());
        assertTrue(result.getReason().orElseThrow().startsWith("kernel bed needs root (CAP_NET_ADMIN, CAP_NET_RAW)"));
        assertTrue(result.getReason().orElseThrow().endsWith("run the suite as root to include it"));
    }

    @Test
    void rootOnLinuxRuns()
    {
        assertFalse(KernelBedExtension.evaluate(true, true).isDisabled());
    }

    @Test
    void rootWithToolsThatCannotBeInstalledFailsInsteadOfSkipping()
    {
        final Requirement missing = new Requirement("ethtool", () -> false, "ethtool");
        final HostTools.Result result = new HostTools.Result(List.of(), List.of(), List.of(missing),
            "`apt-get install -y --no-install-recommends ethtool` failed (exit 100)");

        final BedException thrown = assertThrows(BedException.class, () -> KernelBedExtension.requireTools(result));

        assertTrue(thrown.getMessage().startsWith("kernel bed cannot run: missing host tools: ethtool (package ethtool)"),
            thrown.getMessage());
        assertTrue(thrown.getMessage().contains("sudo apt-get install -y --no-install-recommends ethtool"), thrown.getMessage());
        assertDoesNotThrow(() -> KernelBedExtension.requireTools(new HostTools.Result(List.of(missing), List.of(), List.of(), "")));
    }
}
