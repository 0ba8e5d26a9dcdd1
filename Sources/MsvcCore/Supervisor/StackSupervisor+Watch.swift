import Foundation

/// Watch mode's state for one service.
struct ServiceWatch {
    /// What to watch and do.
    var settings: WatchSettings
    /// The subscription handed to the file watcher.
    var subscription: WatchSubscription
    /// Turned on (the dashboard's `w` turns it off and on).
    var enabled = true
    /// What it is doing.
    var state: WatchSnapshot.State = .watching
    /// When the last change arrived.
    var lastEvent: ContinuousClock.Instant?
    /// Wall-clock time of the last change, for people.
    var lastChange: Date?
    /// Bumped by every change: an action started for an older change gives way.
    var changeCount = 0
    /// A debounce timer task is running.
    var timerRunning = false
    /// The build process while one runs.
    var build: LaunchedProcess?
    /// The last build's exit and lines.
    var lastBuild: ExitStatus?
    var buildLines: [String] = []
    /// A problem watching.
    var problem: String?
    /// Paths changed since the last action, and whether each was created in that time.
    var paths: [String: Bool] = [:]
}

extension StackSupervisor {
    /// The services watch mode watches under `mode`, with their settings.
    func watchedServices(_ mode: WatchMode) -> [(String, WatchSettings)] {
        order.compactMap { name -> (String, WatchSettings)? in
            guard let config = services[name]?.config else { return nil }
            switch mode {
            case .off: return nil
            case .configured: return config.watch.map { (name, $0) }
            case .all: return (name, config.watch ?? WatchSettings())
            }
        }
    }

    /// Starts the file watcher for every watched service (once, from `run()`).
    func startWatching() {
        let watched = watchedServices(options.watch)
        guard !watched.isEmpty else { return }
        let sink = watchSink
        do {
            let watcher = try FileWatcher { events in sink.yield(events) }
            self.watcher = watcher
            threadEnds.append(watcher.finished)
        } catch {
            for (name, _) in watched { note(ReplicaID(service: name), "cannot watch for changes: \(error.description)") }
            return
        }
        for (name, settings) in watched { subscribe(name, settings) }
    }

    /// Subscribes one service to the watcher.
    func subscribe(_ name: String, _ settings: WatchSettings) {
        guard let config = services[name]?.config else { return }
        let cwd = environment.cwd(config)
        let roots = settings.paths.isEmpty ? [cwd] : settings.paths.map { URL(fileURLWithPath: cwd).appendingPathComponent($0).standardized.path }
        let subscription = WatchSubscription(id: name, roots: roots, base: cwd, projectRoot: loaded.directory, ignore: settings.ignore)
        watches[name] = ServiceWatch(settings: settings, subscription: subscription)
        watcher?.add(subscription)
        changed(name)
    }

    /// Turns watch mode on or off for a watched service; returns a message for people.
    public func setWatch(_ name: String, enabled: Bool) throws(ControlError) -> String {
        try validate([name])
        guard var w = watches[name] else {
            throw .invalid("\(name) is not watched; add watch: to it in msvc.yaml, or start with msvc up --watch")
        }
        w.enabled = enabled
        if !enabled {
            w.build?.killGroup()
            w.state = .off
        } else if w.state == .off {
            w.state = .watching
        }
        watches[name] = w
        changed(name)
        return "\(enabled ? "watching" : "stopped watching") \(name)"
    }

    /// Takes the watcher's events (the task runs in `run()`'s group until the stack stops).
    func consumeWatchEvents() async {
        for await batch in watchEvents {
            for event in batch {
                switch event {
                case .changed(let id, let path, let created): fileChanged(id, path: path, created: created)
                case .overflow(let id): fileChanged(id, path: nil, created: false)
                case .problem(let id, let message):
                    watches[id]?.problem = message
                    note(ReplicaID(service: id), "watch: \(message)")
                    changed(id)
                }
            }
        }
    }

    /// A change under a watched service: (re)start the debounce; a build under way is
    /// cancelled, since it is building an old version.
    func fileChanged(_ name: String, path: String?, created: Bool) {
        guard var w = watches[name], w.enabled, lifecycle == .running else { return }
        // Remember whether the path came into being in this window (its first event in the
        // window created it: a file that was there before and is gone now was deleted, which is
        // a change); after an overflow what changed is unknown, and the empty path stands for
        // "something".
        if let path { w.paths[path] = w.paths[path] ?? created } else { w.paths[""] = false }
        w.lastEvent = .now
        w.lastChange = Date()
        w.changeCount += 1
        if let build = w.build {
            build.killGroup()
            note(ReplicaID(service: name), "watch: changed again during the build; building again")
        }
        if w.state != .building && w.state != .restarting { w.state = .pending }
        let start = !w.timerRunning
        w.timerRunning = true
        watches[name] = w
        changed(name)
        if start { commandSink.yield(.watchTimer(name)) }
    }

    /// Waits until `debounce` has passed since the last change, then acts on it.
    func watchTimer(_ name: String) async {
        while let w = watches[name], let last = w.lastEvent {
            let due = last + w.settings.debounce
            if ContinuousClock.now >= due { break }
            try? await Task.sleep(until: due)
            if isStopping { return }
        }
        watches[name]?.timerRunning = false
        guard !isStopping, let w = watches[name], w.enabled else { return }
        let paths = w.paths
        watches[name]?.paths = [:]
        // Temporary files (created and gone within the debounce) changed nothing.
        let relevant = paths.contains { path, created in !created || path.isEmpty || FileManager.default.fileExists(atPath: path) }
        guard relevant else {
            if watches[name]?.state == .pending { watches[name]?.state = w.lastBuild.map { $0.isSuccess ? .watching : .buildFailed } ?? .watching }
            changed(name)
            return
        }
        let shown = paths.filter { !$0.key.isEmpty && (!$0.value || FileManager.default.fileExists(atPath: $0.key)) }.keys.sorted()
        let base = w.subscription.base + "/"
        let what = shown.first.map { ($0.hasPrefix(base) ? String($0.dropFirst(base.count)) : $0) + (shown.count > 1 ? " and \(shown.count - 1) more" : "") }
            ?? "files (the change queue overflowed)"
        note(ReplicaID(service: name), "watch: \(what) changed")
        await act(name, change: w.changeCount)
    }

    /// Builds (when asked) and restarts a service for the change numbered `change`.
    func act(_ name: String, change: Int) async {
        guard let w = watches[name], let config = services[name]?.config else { return }
        let id = ReplicaID(service: name)
        if w.settings.action == .build, let build = config.build {
            watches[name]?.state = .building
            changed(name)
            note(id, "watch: building: \(build)")
            guard let status = await runBuild(name, build) else { return }
            guard let now = watches[name], now.changeCount == change, now.enabled else { return }
            let lines = outputs.takeBuildOutput(name)
            watches[name]?.lastBuild = status
            watches[name]?.buildLines = lines
            guard status.isSuccess else {
                watches[name]?.state = .buildFailed
                changed(name)
                let serving = services[name]?.ordered.compactMap { $0.phase.process?.pid }.map(String.init).joined(separator: ", ") ?? ""
                note(id, "watch: build failed (\(status.description))\(lines.last.map { ": \($0)" } ?? ""); still serving the previous version\(serving.isEmpty ? "" : " (pid \(serving))")")
                return
            }
        }
        guard watches[name]?.changeCount == change else { return }
        watches[name]?.state = .restarting
        changed(name)
        let problem = await exclusive([name]) { await restartService(name) }
        for dependent in w.settings.cascade where services[dependent] != nil {
            _ = await exclusive([dependent]) { await restartService(dependent) }
        }
        if watches[name]?.state == .restarting { watches[name]?.state = .watching }
        changed(name)
        if let problem { note(id, "watch: restart failed: \(problem)") }
    }

    /// Runs `build:` in the service's folder with its environment; nil when it could not
    /// start or was cancelled by a newer change.
    func runBuild(_ name: String, _ command: String) async -> ExitStatus? {
        guard let launcher, let base = launchSpec(ReplicaID(service: name), ports: services[name]?.ordered.first?.ports ?? [:]) else { return nil }
        _ = outputs.takeBuildOutput(name)
        let spec = LaunchSpec(arguments: ["/bin/sh", "-c", command], environment: base.environment, cwd: base.cwd,
                              source: ReplicaID(service: name + OutputRouter.buildSuffix))
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(spec)
        } catch {
            watches[name]?.state = .buildFailed
            watches[name]?.buildLines = [error.description]
            note(ReplicaID(service: name), "watch: the build could not start: \(error.description)")
            return nil
        }
        watches[name]?.build = process
        let status = await process.waitForExit()
        if !process.isGroupGone { process.killGroup() }
        _ = await process.waitForOutputClosed(timeout: .seconds(2))
        if watches[name]?.build === process { watches[name]?.build = nil }
        return status
    }

    /// Watch mode of `name` for the snapshot.
    func watchSnapshot(_ name: String) -> WatchSnapshot? {
        guard let w = watches[name] else { return nil }
        return WatchSnapshot(state: w.enabled ? w.state : .off, paths: w.subscription.roots, lastChange: w.lastChange,
                             lastBuild: w.lastBuild, buildLines: w.buildLines, problem: w.problem)
    }
}
