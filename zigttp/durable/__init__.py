"""The toolchain's side of zigttp:durable: run status for people, and the admin service.

The runtime (oplog, store, semantics, scheduler) is zigttp_host.durable; this
package only reads and signals through its store.

    status.py   what a run is doing, derived from its oplog
    admin.py    `zigttp admin`: the HTTP service over a durable folder
"""
