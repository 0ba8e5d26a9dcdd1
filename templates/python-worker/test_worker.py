"""Unit tests for {{service}}: python3 -m unittest"""
import os
import tempfile
import threading
import unittest

import worker


class WorkerTest(unittest.TestCase):
    def test_handle_returnsResult(self):
        self.assertEqual(worker.handle({"id": "j1"}), {"job_id": "j1", "ok": True})

    def test_run_processesJobs_andWritesHeartbeat(self):
        with tempfile.TemporaryDirectory() as tmp:
            heartbeat = os.path.join(tmp, "hb")
            jobs = iter([{"id": "a"}, {"id": "b"}, None])
            done = worker.run(threading.Event(), 0, jobs=jobs, heartbeat=heartbeat)
            self.assertEqual(done, 2)
            self.assertTrue(os.path.exists(heartbeat))

    def test_run_stopsWhenAsked(self):
        stop = threading.Event()
        stop.set()
        self.assertEqual(worker.run(stop, 0, jobs=iter([{"id": "a"}])), 0)


if __name__ == "__main__":
    unittest.main()
