import Collections
import Foundation

/// Writes a stack as Kubernetes manifests: per service a Deployment (or a Job for one-shot
/// services), a Service for its ports and a ConfigMap per env file; shared objects (state
/// volume, wait permissions, environment references) first.
struct KubernetesExporter {
    /// Image of the init containers that wait for a dependency's Service to accept connections.
    static let tcpWaitImage = "busybox:1.36"
    /// Image of the init containers that wait for a Job to complete (or a Deployment without
    /// a port to become available), with `kubectl wait`.
    static let kubectlImage = "registry.k8s.io/kubectl:v1.33.0"

    /// The stack, loaded with references kept.
    let stack: StackConfig
    /// Namespace, profiles, folders and file access.
    let options: ExportOptions
    /// Ports and discovery values in the target.
    let plan: ExportPlan
    /// What the target cannot express, so far.
    var report = TranslationReport()
    /// Environment variables referenced somewhere, with the default written in msvc.yaml.
    var references: OrderedDictionary<String, String> = [:]
    /// Env-file ConfigMaps already written (two services may share a file).
    var writtenConfigMaps: Set<String> = []

    /// Prepares an export of `stack`.
    init(stack: StackConfig, options: ExportOptions) {
        self.stack = stack
        self.options = options
        plan = ExportPlan(stack: stack, target: .kubernetes)
    }

    /// The project name, the prefix of shared objects.
    var project: String { stack.name }
    /// The ConfigMap holding referenced environment variables.
    var environmentConfigMap: String { project + "-environment" }
    /// The Secret (not written by msvc) for secret-looking variables.
    var secretName: String { project + "-secrets" }
    /// The PersistentVolumeClaim behind MSVC_STATE_DIR.
    var stateClaim: String { project + "-state" }
    /// The ServiceAccount (and Role) of `kubectl wait` init containers.
    var waitAccount: String { project + "-msvc-wait" }

    /// The services written: enabled ones, and profiled ones only when a profile is chosen.
    func selected() -> [ServiceConfig] {
        stack.services.values.filter { s in s.profiles.isEmpty || s.profiles.contains(where: options.profiles.contains) }
    }

    /// Services that run once: something waits for them to complete, or they never restart.
    func isJob(_ s: ServiceConfig) -> Bool {
        s.restart == .no || stack.services.values.contains { $0.dependsOn.contains { $0.service == s.name && $0.condition == .completed } }
    }

    /// The manifests (shared objects first, then one file per service) and the report.
    mutating func export() throws(ExportError) -> ExportResult {
        try checkNames()
        for s in stack.services.values where !s.profiles.isEmpty && !s.profiles.contains(where: options.profiles.contains) {
            report.dropped("services.\(s.name).profiles", "Kubernetes has no profiles; \(s.name) is left out (pass --profile \(s.profiles[0]) to export it)")
        }
        let envFiles = envFileConfigMaps(stack.envFile, path: "env_file")
        var perService: [(String, [CIYAML])] = []
        for s in selected() {
            perService.append((s.name, try service(s)))
        }
        var shared: [CIYAML] = []
        if let ns = options.namespace {
            shared.append(object("v1", "Namespace", ns, labels: [("app.kubernetes.io/part-of", project)], namespaced: false, [:]))
        }
        if needsWaitAccount { shared += waitAccountObjects() }
        if selected().contains(where: { plan.usesState($0.name) }) { shared.append(stateClaimObject()) }
        if !references.isEmpty {
            let plain = references.filter { !ExportPlan.looksSecret($0.key) }
            if !plain.isEmpty {
                shared.append(object("v1", "ConfigMap", environmentConfigMap, labels: partOf, [
                    ("data", .pairs(plain.map { ($0.key, .string($0.value)) })),
                ]))
            }
        }
        shared += envFiles
        StackExporter.reportSections(stack, &report)
        var files: [ExportedFile] = []
        var all: [CIYAML] = shared
        if !shared.isEmpty { files.append(ExportedFile(name: "00-stack.yaml", text: Self.join(shared))) }
        for (name, docs) in perService {
            files.append(ExportedFile(name: name + ".yaml", text: Self.join(docs)))
            all += docs
        }
        return ExportResult(files: files, combined: Self.join(all), report: report)
    }

    /// Documents separated by `---`, under the export header.
    static func join(_ docs: [CIYAML]) -> String {
        let header = StackExporter.header(.kubernetes).map { "# " + $0 }.joined(separator: "\n") + "\n"
        return header + docs.map { "---\n" + $0.compactDocument() }.joined()
    }

    /// Names Kubernetes would reject are errors: the manifests could not be applied.
    func checkNames() throws(ExportError) {
        let dns = /[a-z0-9]([-a-z0-9]*[a-z0-9])?/
        for name in stack.services.keys where name.wholeMatch(of: dns) == nil || name.count > 63 {
            throw ExportError("service name \"\(name)\" is not a valid Kubernetes name (lowercase letters, digits and -, not ending with -); rename it in msvc.yaml")
        }
        if let ns = options.namespace, ns.wholeMatch(of: dns) == nil || ns.count > 63 {
            throw ExportError("invalid namespace \"\(ns)\" (expected lowercase letters, digits and -, starting and ending with a letter or digit)")
        }
        if project.wholeMatch(of: dns) == nil {
            throw ExportError("project name \"\(project)\" is not a valid Kubernetes name prefix (lowercase letters, digits and -); set name: in msvc.yaml")
        }
    }

    /// Labels of the shared objects.
    var partOf: [(String, String)] { [("app.kubernetes.io/part-of", project), ("app.kubernetes.io/managed-by", "msvc")] }

    /// The labels that select a service's pods.
    func selector(_ service: String) -> [(String, String)] {
        [("app.kubernetes.io/name", service), ("app.kubernetes.io/part-of", project)]
    }

    /// An object with apiVersion, kind and metadata, then `fields`.
    func object(_ apiVersion: String, _ kind: String, _ name: String, labels: [(String, String)], namespaced: Bool = true,
                annotations: [(String, String)] = [], _ fields: KeyValuePairs<String, CIYAML>) -> CIYAML {
        object(apiVersion, kind, name, labels: labels, namespaced: namespaced, annotations: annotations, Array(fields.map { ($0.key, $0.value) }))
    }

    /// An object with apiVersion, kind and metadata, then `fields` in order.
    func object(_ apiVersion: String, _ kind: String, _ name: String, labels: [(String, String)], namespaced: Bool = true,
                annotations: [(String, String)] = [], _ fields: [(String, CIYAML)]) -> CIYAML {
        var metadata: [(String, CIYAML)] = [("name", .string(name))]
        if namespaced, let ns = options.namespace { metadata.append(("namespace", .string(ns))) }
        if !labels.isEmpty { metadata.append(("labels", Self.strings(labels))) }
        if !annotations.isEmpty { metadata.append(("annotations", Self.strings(annotations))) }
        return .pairs([("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", .pairs(metadata))] + fields)
    }

    /// A map of strings.
    static func strings(_ pairs: [(String, String)]) -> CIYAML { .pairs(pairs.map { ($0.0, .string($0.1)) }) }

    /// Labels of a service: ours, then the user's that Kubernetes accepts (others become annotations).
    mutating func labels(_ s: ServiceConfig) -> (labels: [(String, String)], annotations: [(String, String)]) {
        var labels = selector(s.name) + [("app.kubernetes.io/managed-by", "msvc")]
        var annotations: [(String, String)] = []
        let key = /([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?/
        let value = /([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?/
        for (k, v) in s.labels {
            if k.wholeMatch(of: key) != nil, v.wholeMatch(of: value) != nil {
                labels.append((k, v))
            } else {
                annotations.append((k, v))
                report.changed("services.\(s.name).labels.\(k)", "not a valid Kubernetes label; written as an annotation")
            }
        }
        return (labels, annotations)
    }

    /// The Deployment or Job, Service and ConfigMaps of one service.
    mutating func service(_ s: ServiceConfig) throws(ExportError) -> [CIYAML] {
        let path = "services.\(s.name)"
        var docs = envFileConfigMaps(s.envFile, path: path + ".env_file")
        let (labels, annotations) = labels(s)
        var podSpec: [(String, CIYAML)] = []
        let (seconds, rounded) = ExportPlan.seconds(s.stopTimeout, minimum: 0)
        if rounded { report.changed(path + ".stop_timeout", "rounded up to \(seconds)s (Kubernetes counts whole seconds)") }
        if s.stopSignal != "TERM" {
            report.dropped(path + ".stop_signal", "Kubernetes stops containers with SIGTERM; set STOPSIGNAL SIG\(s.stopSignal) in the image to get SIG\(s.stopSignal)")
        }
        podSpec.append(("terminationGracePeriodSeconds", .int(seconds)))
        let waits = initContainers(s)
        if waits.usesAccount { podSpec.append(("serviceAccountName", .string(waitAccount))) }
        if !waits.containers.isEmpty { podSpec.append(("initContainers", .list(waits.containers))) }
        podSpec.append(("containers", .list([container(s)])))
        if plan.usesState(s.name) {
            podSpec.append(("volumes", .list([.pairs([
                ("name", .string("msvc-state")),
                ("persistentVolumeClaim", .pairs([("claimName", .string(stateClaim))])),
            ])])))
        }
        let template: CIYAML = .pairs([("metadata", .pairs([("labels", Self.strings(labels))])), ("spec", .pairs(podSpecWithRestart(s, podSpec)))])
        if isJob(s) {
            var spec: [(String, CIYAML)] = []
            if s.replicas > 1 { spec += [("completions", .int(s.replicas)), ("parallelism", .int(s.replicas))] }
            spec.append(("backoffLimit", .int(s.restart == .no ? 0 : s.maxRestarts)))
            if s.disabled { spec.append(("suspend", .bool(true))) }
            spec.append(("template", template))
            docs.append(object("batch/v1", "Job", s.name, labels: labels, annotations: annotations, [("spec", .pairs(spec))]))
            if s.restart == .always { report.changed(path + ".restart", "runs as a Job, which cannot restart after success") }
        } else {
            if s.restart != .always {
                report.changed(path + ".restart", "\(s.restart.rawValue) becomes a Deployment, whose pods are restarted after any exit")
            }
            docs.append(object("apps/v1", "Deployment", s.name, labels: labels, annotations: annotations, [
                ("spec", .pairs([
                    ("replicas", .int(s.disabled ? 0 : s.replicas)),
                    ("selector", .pairs([("matchLabels", Self.strings(selector(s.name)))])),
                    ("template", template),
                ])),
            ]))
        }
        if s.disabled { report.changed(path + ".disabled", isJob(s) ? "exported as a suspended Job" : "exported with replicas: 0") }
        if s.maxRestarts != ServiceConfig(name: s.name).maxRestarts && !isJob(s) {
            report.dropped(path + ".max_restarts", "a Deployment restarts without limit")
        }
        if s.backoff != Backoff() {
            report.dropped(path + ".backoff", "Kubernetes uses its own restart backoff (10s doubling to 5m)")
        }
        if let ports = plan.ports[s.name], !ports.isEmpty {
            docs.append(object("v1", "Service", s.name, labels: labels, [
                ("spec", .pairs([
                    ("selector", Self.strings(selector(s.name))),
                    ("ports", .list(ports.map { name, number in
                        .pairs([("name", .string(portName(s, name))), ("port", .int(number)), ("targetPort", .string(portName(s, name)))])
                    })),
                ])),
            ]))
            for (name, spec) in s.allPorts {
                if case .fixed(let n) = spec {
                    let p = name.isEmpty ? path + ".port" : path + ".ports." + name
                    report.changed(p, "fixed port \(n) is the Service port inside the cluster; expose it with an Ingress or a LoadBalancer Service to reach it from outside")
                }
            }
        }
        return docs
    }

    /// The pod spec, with a Job's restart policy first.
    func podSpecWithRestart(_ s: ServiceConfig, _ spec: [(String, CIYAML)]) -> [(String, CIYAML)] {
        guard isJob(s) else { return spec }
        return [("restartPolicy", .string(s.restart == .no ? "Never" : "OnFailure"))] + spec
    }

    /// The Kubernetes name of a port: `http` for the main one (unless a named port takes it),
    /// named ports with `_` as `-`, at most 15 characters.
    func portName(_ s: ServiceConfig, _ name: String) -> String {
        if name.isEmpty { return s.ports["http"] == nil ? "http" : "main" }
        let cleaned = String(name.replacingOccurrences(of: "_", with: "-").prefix(15))
        let valid = cleaned.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?/) != nil && !cleaned.contains("--")
            && cleaned.contains(where: \.isLetter) && cleaned != "http" && cleaned != "main"
        return valid ? cleaned : "p\(plan.ports[s.name]?[name] ?? 0)"
    }
}
