// Temporary check that the importer accepts the demo (to be deleted).
#[tokio::main]
async fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let db = std::env::args().nth(2).unwrap();
    let store = dukao::store::Store::connect(&db).await.unwrap();
    let sources = dukao::ingest::discover(&[dir]).unwrap();
    let t = std::time::Instant::now();
    match dukao::ingest::import(&store, sources, &Default::default()).await {
        Ok(r) => println!("ok {:?} in {:?}", r.rows, t.elapsed()),
        Err(e) => println!("ERR {e}"),
    }
}
