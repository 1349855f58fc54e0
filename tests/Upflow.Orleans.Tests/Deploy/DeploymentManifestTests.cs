using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Npgsql;
using Orleans.Hosting.Kubernetes;
using Upflow.Orleans.Silo;
using Upflow.Orleans.Tests.Infrastructure;
using static Upflow.Orleans.Tests.Deploy.DeployFiles;

namespace Upflow.Orleans.Tests.Deploy;

/// <summary>
/// deploy/docker and deploy/k8s name images, ports, environment variables, commands and probe paths
/// that exist in the code. No container engine runs here: this is what stands in for `compose up`.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DeploymentManifestTests(UpflowApp app)
{
    private const string Image = "upflow-orleans";
    private static readonly string[] Silos = ["silo1", "silo2"];
    private static readonly string[] SecretSettings = ["ConnectionStrings__Upflow", "Upflow__AdminKey", "Upflow__EncryptionKey"];

    private static JsonObject Service(string name) => Compose["services"]![name]!.AsObject();

    private static JsonObject Environment(JsonObject service) => service["environment"]!.AsObject();

    private static JsonObject SiloPod => Kubernetes("Deployment", "upflow-silo")["spec"]!["template"]!.AsObject();

    private static JsonObject SiloContainer => SiloPod["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    private static JsonObject MigrateContainer =>
        Kubernetes("Job", "upflow-migrate")["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    private static IEnumerable<JsonObject> EnvOf(JsonObject container) => container["env"]!.AsArray().Select(e => e!.AsObject());

    private static JsonObject Env(JsonObject container, string name) => EnvOf(container).Single(e => (string?)e["name"] == name);

    private static int Port(string url) => new Uri(url.Replace("+", "localhost").Replace("*", "localhost")).Port;

    private static int SettingsPort(string key) => (int)AppSettings["Orleans"]![key]!;

    /// <summary>The ENV instructions, continuation lines joined.</summary>
    private static string DockerfileEnvs => string.Join("\n", Regex.Matches(Dockerfile, @"(?m)^ENV ((?:.*\\\n)*.*)$").Select(m => m.Groups[1].Value));

    private static IEnumerable<string> DockerfileEnvNames => Regex.Matches(DockerfileEnvs, @"(?:^|\s)([A-Za-z_]+)=").Select(m => m.Groups[1].Value);

    private static string DockerfileEnv(string name) => Regex.Match(DockerfileEnvs, $@"(?:^|\s){name}=([^\s\\]*)").Groups[1].Value;

    private static int Int(JsonNode? scalar) => int.Parse((string)scalar!);

    private static IReadOnlyList<string> Strings(JsonNode? array) => array!.AsArray().Select(item => (string)item!).ToList();

    // ---- Compose ----

    [Fact]
    public void Compose_runs_PostgreSQL_a_migration_two_silos_a_collector_and_Jaeger()
    {
        Assert.Equal(["postgres", "migrate", "silo1", "silo2", "otel-collector", "jaeger"], Compose["services"]!.AsObject().Select(s => s.Key));
        Assert.Equal(["migrate"], Strings(Service("migrate")["command"]));
        Assert.Equal("service_healthy", (string?)Service("migrate")["depends_on"]!["postgres"]!["condition"]);
        foreach (var silo in Silos)
        {
            Assert.Equal("service_completed_successfully", (string?)Service(silo)["depends_on"]!["migrate"]!["condition"]);
            Assert.Null(Service(silo)["command"]);
        }
    }

    [Fact]
    public void Compose_builds_the_silo_image_from_the_Dockerfile_at_the_repository_root()
    {
        foreach (var name in new[] { "migrate", "silo1", "silo2" })
        {
            var service = Service(name);
            Assert.Equal($"{Image}:latest", (string?)service["image"]);
            var context = Path.GetFullPath(Path.Combine(PathOf("deploy/docker"), (string)service["build"]!["context"]!));
            Assert.Equal(Root, context.TrimEnd(Path.DirectorySeparatorChar));
            Assert.True(File.Exists(Path.Combine(context, (string)service["build"]!["dockerfile"]!)));
        }
    }

    [Fact]
    public void Compose_silos_form_one_cluster_on_distinct_addresses_and_ports()
    {
        var environments = Silos.Select(silo => Environment(Service(silo))).ToList();
        Assert.Single(environments.Select(e => (string?)e["Orleans__ClusterId"]).Distinct());
        Assert.Single(environments.Select(e => (string?)e["Orleans__ServiceId"]).Distinct());
        foreach (var key in new[] { "Orleans__AdvertisedIPAddress", "Orleans__SiloPort", "Orleans__GatewayPort" })
            Assert.Equal(Silos.Length, environments.Select(e => (string?)e[key]).Distinct().Count());

        var subnet = (string)Compose["networks"]!["upflow"]!["ipam"]!["config"]![0]!["subnet"]!;
        var network = IPNetwork.Parse(subnet);
        foreach (var silo in Silos)
        {
            // Other silos dial the advertised address: it must be this container's own.
            var address = (string)Environment(Service(silo))["Orleans__AdvertisedIPAddress"]!;
            Assert.Equal(address, (string?)Service(silo)["networks"]!["upflow"]!["ipv4_address"]);
            Assert.True(network.Contains(IPAddress.Parse(address)), $"{address} is outside {subnet}");
        }

        var published = Silos.SelectMany(silo => Strings(Service(silo)["ports"])).ToList();
        Assert.Equal(published.Count, published.Select(p => p.Split(':')[1]).Distinct().Count());
        Assert.All(published, port => Assert.StartsWith("127.0.0.1:", port));
    }

    [Fact]
    public void Compose_publishes_the_ports_the_silos_listen_on()
    {
        foreach (var silo in Silos)
        {
            var environment = Environment(Service(silo));
            var containerPorts = Strings(Service(silo)["ports"]).Select(p => int.Parse(p.Split(':')[2])).Order().ToList();
            int[] listening = [Port((string)environment["Urls"]!), int.Parse((string)environment["Orleans__Dashboard__Port"]!)];
            Assert.Equal(listening.Order(), containerPorts);
            Assert.Equal("true", (string?)environment["Orleans__Dashboard__Enabled"]);
        }
    }

    [Fact]
    public void Compose_takes_every_secret_from_the_environment()
    {
        var postgres = Environment(Service("postgres"));
        Assert.Matches(@"^\$\{[A-Z_]+:\?", (string)postgres["POSTGRES_PASSWORD"]!);
        foreach (var name in new[] { "migrate", "silo1", "silo2" })
        {
            var environment = Environment(Service(name));
            Assert.Matches(@"Password=\$\{POSTGRES_PASSWORD:\?[^}]*\};", (string)environment["ConnectionStrings__Upflow"]!);
            foreach (var secret in SecretSettings.Skip(1).Where(s => environment.ContainsKey(s)))
                Assert.Matches(@"^\$\{[A-Z_]+:\?[^}]*\}$", (string)environment[secret]!);
        }
        Assert.Contains("deploy/docker/.env", File.ReadAllLines(PathOf(".gitignore")));
    }

    [Fact]
    public void Silos_export_to_the_collector_which_sends_traces_to_Jaeger()
    {
        foreach (var silo in Silos)
        {
            var endpoint = new Uri((string)Environment(Service(silo))["OTEL_EXPORTER_OTLP_ENDPOINT"]!);
            Assert.True(Compose["services"]!.AsObject().ContainsKey(endpoint.Host), endpoint.Host);
            Assert.Equal($"0.0.0.0:{endpoint.Port}", (string?)Collector["receivers"]!["otlp"]!["protocols"]!["grpc"]!["endpoint"]);
        }
        var jaeger = (string)Collector["exporters"]!["otlp/jaeger"]!["endpoint"]!;
        Assert.Equal("jaeger", jaeger.Split(':')[0]);
        Assert.Contains("otlp/jaeger", Strings(Collector["service"]!["pipelines"]!["traces"]!["exporters"]));
        foreach (var (_, pipeline) in Collector["service"]!["pipelines"]!.AsObject())
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
                Assert.All(Strings(pipeline![kind]), component => Assert.True(Collector[kind]!.AsObject().ContainsKey(component), component));
        Assert.Equal("./otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro", Strings(Service("otel-collector")["volumes"]).Single());
    }

    // ---- Environment variables, everywhere ----

    [Fact]
    public void Every_environment_variable_given_to_the_silo_is_one_it_reads()
    {
        var variables = new List<(string Where, string Name)>();
        foreach (var name in new[] { "migrate", "silo1", "silo2" })
            variables.AddRange(Environment(Service(name)).Select(e => ($"compose {name}", e.Key)));
        variables.AddRange(EnvOf(SiloContainer).Select(e => ("k8s silo", (string)e["name"]!)));
        variables.AddRange(EnvOf(MigrateContainer).Select(e => ("k8s migrate", (string)e["name"]!)));
        variables.AddRange(DockerfileEnvNames.Select(name => ("Dockerfile", name)));
        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.True(IsUnderstood(v.Name), $"{v.Where}: {v.Name} is not configuration the silo reads"));
    }

    // ---- Dockerfile ----

    [Fact]
    public void Dockerfile_runs_the_silo_assembly_as_a_non_root_user_without_a_healthcheck()
    {
        var assemblyName = XDocument.Load(PathOf("silo/Upflow.Orleans.Silo.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Equal(typeof(Program).Assembly.GetName().Name, assemblyName);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{assemblyName}.dll\"]", Dockerfile);

        var stages = Regex.Matches(Dockerfile, @"^FROM (\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1]);
        var runtime = Dockerfile[Dockerfile.LastIndexOf("FROM ", StringComparison.Ordinal)..];
        var user = Regex.Match(runtime, @"^USER (\S+)", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEmpty(user);
        Assert.DoesNotContain(user, new[] { "root", "0" });
        Assert.DoesNotMatch(@"(?m)^HEALTHCHECK", Dockerfile);
    }

    [Fact]
    public void Dockerfile_copies_every_project_the_silo_builds_from_and_the_schema()
    {
        var projects = new HashSet<string>();
        var pending = new Stack<string>([PathOf("silo/Upflow.Orleans.Silo.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (!projects.Add(Path.GetRelativePath(Root, project).Replace('\\', '/'))) continue;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value)));
        }
        foreach (var project in projects)
        {
            var folder = Path.GetDirectoryName(project)!.Replace('\\', '/');
            Assert.Contains($"COPY {project} {folder}/", Dockerfile);
            Assert.Contains($"COPY {folder}/ {folder}/", Dockerfile);
        }
        Assert.Contains("COPY deploy/sql/ deploy/sql/", Dockerfile);
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
            Assert.Matches($@"(?m)^COPY .*\b{Regex.Escape(file)}\b", Dockerfile);
    }

    [Fact]
    public void Dockerfile_exposes_the_API_silo_gateway_and_dashboard_ports()
    {
        Assert.Equal(OperatorDashboard.DefaultPort, (int)AppSettings["Orleans"]!["Dashboard"]!["Port"]!);
        int[] expected = [Port(DockerfileEnv("Urls")), SettingsPort("SiloPort"), SettingsPort("GatewayPort"), OperatorDashboard.DefaultPort];
        var exposed = Regex.Match(Dockerfile, @"^EXPOSE (.+)$", RegexOptions.Multiline).Groups[1].Value.Split(' ').Select(int.Parse);
        Assert.Equal(expected.Order(), exposed.Order());
        Assert.Equal("", DockerfileEnv("ASPNETCORE_HTTP_PORTS"));
    }

    // ---- Kubernetes ----

    [Fact]
    public void Kubernetes_manifests_are_namespace_agnostic_listed_and_hold_no_secret()
    {
        var objects = KubernetesObjects();
        Assert.All(objects, o =>
        {
            Assert.NotNull(o.Document["apiVersion"]);
            Assert.NotNull(o.Document["metadata"]?["name"]);
            Assert.Null(o.Document["metadata"]!["namespace"]);
            Assert.NotEqual("Secret", (string?)o.Document["kind"]);
        });
        var kustomization = (JsonObject)Load("deploy/k8s/kustomization.yaml").Single()!;
        Assert.Null(kustomization["namespace"]);
        Assert.Equal(objects.Select(o => o.File).Distinct().Order(), Strings(kustomization["resources"]).Order());
    }

    [Fact]
    public void Kubernetes_runs_the_same_image_as_compose()
    {
        Assert.Equal($"{Image}:latest", (string?)SiloContainer["image"]);
        Assert.Equal($"{Image}:latest", (string?)MigrateContainer["image"]);
        Assert.Equal((string?)Service("silo1")["image"], (string?)SiloContainer["image"]);
        Assert.Null(SiloContainer["command"]);
        Assert.Null(SiloContainer["args"]);
        Assert.Null(MigrateContainer["command"]);
        Assert.Equal(["migrate"], Strings(MigrateContainer["args"]));
    }

    [Fact]
    public void Orleans_Kubernetes_hosting_gets_its_labels_pod_environment_and_permissions()
    {
        var labels = SiloPod["metadata"]!["labels"]!.AsObject();
        Assert.Equal("true", (string?)Env(SiloContainer, "Orleans__Kubernetes__Enabled")["value"]);
        Assert.True(ConfigurationKeys.Contains(UpflowCluster.KubernetesEnabledKey));
        foreach (var (variable, label) in new[]
                 {
                     (KubernetesHostingOptions.ServiceIdEnvironmentVariable, KubernetesHostingOptions.ServiceIdLabel),
                     (KubernetesHostingOptions.ClusterIdEnvironmentVariable, KubernetesHostingOptions.ClusterIdLabel),
                 })
        {
            Assert.Equal("upflow", (string?)labels[label]);
            Assert.Equal($"metadata.labels['{label}']", (string?)Env(SiloContainer, variable)["valueFrom"]!["fieldRef"]!["fieldPath"]);
        }
        Assert.Equal("metadata.namespace", (string?)Env(SiloContainer, KubernetesHostingOptions.PodNamespaceEnvironmentVariable)["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.name", (string?)Env(SiloContainer, KubernetesHostingOptions.PodNameEnvironmentVariable)["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("status.podIP", (string?)Env(SiloContainer, KubernetesHostingOptions.PodIPEnvironmentVariable)["valueFrom"]!["fieldRef"]!["fieldPath"]);

        var account = (string)SiloPod["spec"]!["serviceAccountName"]!;
        Assert.NotNull(Kubernetes("ServiceAccount", account));
        var binding = KubernetesObjects().Single(o => (string?)o.Document["kind"] == "RoleBinding"
            && o.Document["subjects"]!.AsArray().Any(s => (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == account)).Document;
        var role = Kubernetes((string)binding["roleRef"]!["kind"]!, (string)binding["roleRef"]!["name"]!);
        var rule = role["rules"]!.AsArray().Single(r => Strings(r!["resources"]).Contains("pods"))!;
        Assert.Equal([""], Strings(rule["apiGroups"]));
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, Strings(rule["verbs"]).ToHashSet());
    }

    [Fact]
    public void Kubernetes_references_secrets_and_never_writes_them()
    {
        foreach (var container in new[] { SiloContainer, MigrateContainer })
        {
            foreach (var variable in EnvOf(container).Where(e => SecretSettings.Contains((string)e["name"]!)))
            {
                Assert.Null(variable["value"]);
                Assert.Equal("upflow-secrets", (string?)variable["valueFrom"]!["secretKeyRef"]!["name"]);
            }
        }
        Assert.All(SecretSettings, name => Env(SiloContainer, name));
        Assert.Equal("connection-string", (string?)Env(MigrateContainer, "ConnectionStrings__Upflow")["valueFrom"]!["secretKeyRef"]!["key"]);
    }

    [Fact]
    public void Kubernetes_container_ports_are_the_ports_the_silo_listens_on()
    {
        var ports = SiloContainer["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => Int(p!["containerPort"]));
        Assert.Equal(Port((string)Env(SiloContainer, "Urls")["value"]!), ports["http"]);
        Assert.Equal(Port(DockerfileEnv("Urls")), ports["http"]);
        Assert.Equal(SettingsPort("SiloPort"), ports["silo"]);
        Assert.Equal(SettingsPort("GatewayPort"), ports["gateway"]);
        Assert.Equal(OperatorDashboard.DefaultPort, ports["dashboard"]);
        Assert.Equal(ports["silo"].ToString(), (string?)Env(SiloContainer, "Orleans__SiloPort")["value"]);
        Assert.Equal(ports["gateway"].ToString(), (string?)Env(SiloContainer, "Orleans__GatewayPort")["value"]);
    }

    [Fact]
    public async Task Kubernetes_probes_ask_health_endpoints_the_host_serves()
    {
        Assert.Equal("/health/live", (string?)SiloContainer["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/live", (string?)SiloContainer["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/ready", (string?)SiloContainer["readinessProbe"]!["httpGet"]!["path"]);
        foreach (var probe in new[] { "livenessProbe", "startupProbe", "readinessProbe" })
        {
            Assert.Equal("http", (string?)SiloContainer[probe]!["httpGet"]!["port"]);
            var response = await app.Client().GetAsync((string)SiloContainer[probe]!["httpGet"]!["path"]!);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public void Shutdown_grace_outlasts_the_silo_shutdown_budget()
    {
        var budget = TimeSpan.Parse((string)Env(SiloContainer, "Upflow__ShutdownTimeout")["value"]!);
        Assert.Equal(TimeSpan.Parse((string)AppSettings["Upflow"]!["ShutdownTimeout"]!), budget);
        var preStop = Int(SiloContainer["lifecycle"]!["preStop"]!["sleep"]!["seconds"]);
        var grace = Int(SiloPod["spec"]!["terminationGracePeriodSeconds"]);
        Assert.True(grace > preStop + budget.TotalSeconds, $"terminationGracePeriodSeconds {grace} <= preStop {preStop} + {budget}");

        foreach (var silo in Silos)
        {
            var composeBudget = TimeSpan.Parse((string)Environment(Service(silo))["Upflow__ShutdownTimeout"]!);
            var composeGrace = TimeSpan.FromSeconds(int.Parse(((string)Service(silo)["stop_grace_period"]!).TrimEnd('s')));
            Assert.True(composeGrace > composeBudget, $"{silo}: stop_grace_period {composeGrace} <= {composeBudget}");
        }
    }

    [Fact]
    public void Service_and_disruption_budget_select_the_silo_pods_and_expose_only_HTTP()
    {
        var podLabels = SiloPod["metadata"]!["labels"]!.AsObject();
        var deploymentSelector = Kubernetes("Deployment", "upflow-silo")["spec"]!["selector"]!["matchLabels"]!.AsObject();
        var service = Kubernetes("Service", "upflow-http");
        var budget = Kubernetes("PodDisruptionBudget", "upflow-silo");
        foreach (var selector in new[] { deploymentSelector, service["spec"]!["selector"]!.AsObject(), budget["spec"]!["selector"]!["matchLabels"]!.AsObject() })
            Assert.All(selector, label => Assert.Equal((string?)label.Value, (string?)podLabels[label.Key]));
        Assert.Equal("http", (string?)service["spec"]!["ports"]!.AsArray().Single()!["targetPort"]);
        Assert.Equal(1, Int(budget["spec"]!["maxUnavailable"]));
        Assert.True(Int(Kubernetes("Deployment", "upflow-silo")["spec"]!["replicas"]) >= 2);
    }

    // ---- The migrate command both files run ----

    [Fact]
    public async Task The_migrate_command_applies_the_schema_to_an_empty_database_and_exits()
    {
        var server = System.Environment.GetEnvironmentVariable("UPFLOW_TEST_PG")!;
        var name = "upflow_migrate_" + Guid.NewGuid().ToString("N")[..12];
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var create = new NpgsqlConnection(admin))
        {
            await create.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", create).ExecuteNonQueryAsync();
        }
        try
        {
            var database = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
            var main = typeof(Program).Assembly.EntryPoint!;
            await Task.Run(() => main.Invoke(null, [new[] { "migrate", $"--ConnectionStrings:Upflow={database}" }]));

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            var tables = (long)(await new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename = 'orleans_membership'", connection).ExecuteScalarAsync())!;
            Assert.Equal(1, tables);
        }
        finally
        {
            await using var drop = new NpgsqlConnection(admin);
            await drop.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", drop).ExecuteNonQueryAsync();
        }
    }
}
