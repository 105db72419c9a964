package io.jmtcp.bed;

import java.lang.reflect.Method;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 side of {@link KernelBed}: decides whether kernel-bed tests can run here, makes a
 * root run fail loudly when the host tools are missing, and gives each test method that asks for
 * one a fresh {@link NetnsBed}, closed when the method ends however it ends.
 */
public final class KernelBedExtension implements ExecutionCondition, BeforeEachCallback, ParameterResolver
{
    /** Why the tests are skipped on other systems. */
    static final String NEEDS_LINUX = "kernel bed needs Linux";

    /** Why the tests are skipped without root. */
    static final String NEEDS_ROOT = "kernel bed needs root (CAP_NET_ADMIN, CAP_NET_RAW) to create a network namespace"
        + " and open a raw port; run the suite as root to include it";

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(KernelBedExtension.class);
    private static final String TOOLS_KEY = "host-tools";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context)
    {
        return evaluate(HostTools.isLinux(), HostTools.isRoot());
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        // Once per run: the root store lives as long as the test engine, and the installer
        // must not be asked again for every test.
        final HostTools.Result tools = context.getRoot().getStore(STORE)
            .getOrComputeIfAbsent(TOOLS_KEY, key -> HostTools.ensure(HostTools.KERNEL_BED), HostTools.Result.class);
        requireTools(tools);
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext)
    {
        return parameterContext.getParameter().getType() == NetnsBed.class
            && parameterContext.getDeclaringExecutable() instanceof Method;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext)
    {
        final NetnsBed bed = NetnsBed.create();
        // The method-level store is closed when the method's context ends, after a failure too.
        extensionContext.getStore(STORE).put("bed-" + parameterContext.getIndex(), (ExtensionContext.Store.CloseableResource) bed::close);
        return bed;
    }

    /**
     * Whether kernel-bed tests can run on this host.
     *
     * @param linux whether this is Linux.
     * @param root  whether this JVM runs as root.
     * @return enabled, or disabled with the reason the report shows.
     */
    static ConditionEvaluationResult evaluate(final boolean linux, final boolean root)
    {
        if (!linux)
        {
            return ConditionEvaluationResult.disabled(NEEDS_LINUX);
        }
        if (!root)
        {
            return ConditionEvaluationResult.disabled(NEEDS_ROOT);
        }
        return ConditionEvaluationResult.enabled("running as root on Linux");
    }

    /**
     * Fail, not skip, when the host lacks tools the installer could not provide: a root CI run
     * that skipped its kernel tests would pass while testing nothing.
     *
     * @param tools the outcome of {@link HostTools#ensure(java.util.List)}.
     * @throws BedException with the installer's message if something is missing.
     */
    static void requireTools(final HostTools.Result tools)
    {
        if (!tools.ok())
        {
            throw new BedException("kernel bed cannot run: " + tools.message());
        }
    }
}
