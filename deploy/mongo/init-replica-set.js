// Runs once on first start: a single-node replica set, so majority write concern and change streams work.
try { rs.status(); } catch (e) { rs.initiate({_id: "rs0", members: [{_id: 0, host: "mongo:27017"}]}); }
