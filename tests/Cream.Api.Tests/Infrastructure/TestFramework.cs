using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Cream.Api.Tests.Infrastructure.CreamTestFramework", "Cream.Api.Tests")]

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// Marks a test, a test class or a fixture as needing what <c>scripts/test.sh</c> provides
/// (by default the throwaway PostgreSQL and Redis). Run by plain <c>dotnet test</c>, such
/// tests are reported as skipped with the reason; run by the script they always run, so a
/// server the script started that does not work still fails them.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true)]
public sealed class NeedsTestServersAttribute(params string[] variables) : Attribute
{
    public IReadOnlyList<string> Variables { get; } = variables.Length > 0 ? variables : [TestServers.PostgresVariable, TestServers.RedisVariable];
}

/// <summary>xunit's own framework, whose discovery skips the tests of <see cref="NeedsTestServersAttribute"/> outside the script.</summary>
public sealed class CreamTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sourceProvider, IMessageSink diagnostics)
        : XunitTestFrameworkDiscoverer(assembly, sourceProvider, diagnostics)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var missing = MissingVariables(testMethod);
            if (missing.Count == 0 || TestServers.Required
                || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var reason = $"needs {string.Join(" and ", missing)}: run scripts/test.sh";
            var skipped = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }

        private static List<string> MissingVariables(ITestMethod testMethod)
        {
            var type = testMethod.TestClass.Class.ToRuntimeType();
            var method = testMethod.Method.ToRuntimeMethod();
            var marks = new List<NeedsTestServersAttribute>();
            marks.AddRange(method?.GetCustomAttributes<NeedsTestServersAttribute>() ?? []);
            if (type is not null)
            {
                marks.AddRange(type.GetCustomAttributes<NeedsTestServersAttribute>());
                // The fixtures a class asks for (IClassFixture<T>) bring their own needs.
                foreach (var fixture in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IClassFixture<>)))
                {
                    marks.AddRange(fixture.GetGenericArguments()[0].GetCustomAttributes<NeedsTestServersAttribute>());
                }
            }

            return marks.SelectMany(mark => mark.Variables).Distinct()
                .Where(variable => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
                .ToList();
        }
    }
}
